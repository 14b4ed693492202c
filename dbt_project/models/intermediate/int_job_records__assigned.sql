{{ config(materialized='view') }}
-- Every deduplicated record, of every source, with the job it was assigned to. The served
-- marts take the sources the flags enable; the A/B variants and the migration metrics
-- compare the sources side by side, so they read all of them.
select normalised.*, clustered.cluster_key, clustered.job_listing_id, clustered.clustered_at
from {{ ref('int_job_records__normalised') }} as normalised
join {{ ref('int_job_records__clustered') }} as clustered using (record_key)
