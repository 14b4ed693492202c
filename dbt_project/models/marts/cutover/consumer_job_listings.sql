{{ config(materialized='view') }}
-- What each consumer is served during the A/B rollout: the jobs of its variant. A BI tool
-- or app reads `where consumer_id = '<its id>'`.
select consumers.consumer_id, listings.*
from {{ ref('consumer_variants') }} as consumers
inner join {{ ref('job_listings_by_variant') }} as listings using (variant)
