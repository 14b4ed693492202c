{{
    config(
        materialized='incremental',
        unique_key=['source', 'source_record_id'],
        indexes=[{'columns': ['job_listing_id']}, {'columns': ['source', 'source_record_id'], 'unique': true},
                 {'columns': ['updated_at']}],
        post_hook=[
            "{{ delete_records_that_left(columns=['source', 'source_record_id']) }}",
            "{% if source_flags_changed() %}
             delete from {{ this }} where source not in (select source from {{ ref('source_flags') }} where enabled)
             {% endif %}",
            "{{ mark_source_flags_version() }}",
        ],
    )
}}
-- depends_on: {{ ref('int_job_records__checked') }}, {{ ref('source_flags') }}
-- One row per served source record that passed validation: which job listing it was merged into.
-- Incremental: the records (re)clustered since the last run are upserted; the post-hooks
-- remove records that were quarantined since and records of sources no longer served. When
-- the source flags changed since the last run, every row is recomputed.
select
    r.job_listing_id,
    r.source,
    r.source_record_id,
    r.fingerprint,
    r.title,
    r.company_name,
    r.job_board,
    r.url,
    r.post_date,
    r.first_seen_at,
    r.last_seen_at,
    current_timestamp as updated_at
from {{ ref('int_job_records__served') }} as r
{% if is_incremental() and not source_flags_changed() %}
where r.clustered_at > {{ last_run_at('updated_at') }}
{% endif %}
