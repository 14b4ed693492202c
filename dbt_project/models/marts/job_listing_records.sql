{{
    config(
        indexes=[{'columns': ['job_listing_id']}, {'columns': ['source', 'source_record_id'], 'unique': true}],
    )
}}
-- One row per source record that passed validation: which job listing it was merged into.
select
    md5(c.cluster_key)::text   as job_listing_id,
    r.source,
    r.source_record_id,
    r.fingerprint,
    r.title,
    r.company_name,
    r.job_board,
    r.url,
    r.post_date,
    r.first_seen_at,
    r.last_seen_at
from {{ ref('int_job_records__normalised') }} r
join {{ ref('int_job_records__clustered') }} c using (record_key)
