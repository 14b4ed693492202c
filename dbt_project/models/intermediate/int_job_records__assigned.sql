{{ config(materialized='view') }}
-- Every deduplicated record, of every source, with the job it was assigned to and, when
-- JobsPikr's Expired Jobs API reported it, the day it expired. The served marts take the
-- sources the flags enable; the A/B variants and the cutover metrics compare the sources
-- side by side, so they read all of them. (An expiry does not pass through deduplication:
-- it changes no record's values, only its job's status.)
select normalised.*, clusters.cluster_key, clusters.job_listing_id, clusters.clustered_at,
       expirations.expired_on, expirations.last_reported_at as expiry_reported_at
from {{ ref('int_job_records__normalised') }} as normalised
inner join {{ ref('int_job_records__clustered') }} as clusters using (record_key)
left join {{ ref('stg_jobspikr__expirations') }} as expirations using (record_key)
