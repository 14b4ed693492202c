{{ config(materialized='view') }}
-- The records the marts serve: deduplicated records of the sources the `source_flags` seed
-- enables, each with its job. Every source is deduplicated (so a job keeps its id when a
-- flag flips); this is the one place that decides which sources are served.
select normalised.*, clustered.cluster_key, clustered.job_listing_id, clustered.clustered_at
from {{ ref('int_job_records__normalised') }} as normalised
join {{ ref('int_job_records__clustered') }} as clustered using (record_key)
where normalised.source in (select source from {{ ref('source_flags') }} where enabled)
