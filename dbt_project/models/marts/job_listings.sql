{{
    config(
        materialized='incremental',
        unique_key='job_listing_id',
        post_hook=[
            "{{ delete_jobs_left_without_records() }}",
            "{{ mark_source_flags_version() }}",
        ],
        indexes=[
            {'columns': ['job_listing_id'], 'unique': true},
            {'columns': ['company_norm', 'post_date']},
            {'columns': ['state_code', 'post_date']},
            {'columns': ['post_date']},
            {'columns': ['status', 'last_seen_at']},
        ],
    )
}}
-- One row per distinct job of the served sources. Its values come from a representative
-- record; dates and status aggregate all of the job's records (the rule: job_listing_rows).
-- Incremental: the jobs with a record (re)clustered since the last run, active jobs that
-- have just gone stale, and jobs with a record reported expired since, are recomputed; the post-hook removes jobs left without
-- records (merged into another, quarantined, or no longer served). When the source flags
-- changed since the last run, every job is recomputed.
-- depends_on: {{ ref('job_listing_records') }}, {{ ref('source_flags') }}, {{ ref('int_job_records__clustered') }}, {{ ref('int_job_records__checked') }}
{% set only_affected_jobs = is_incremental() and not source_flags_changed() %}
with

{% if only_affected_jobs %}
affected as (

    select job_listing_id from {{ ref('int_job_records__clustered') }}
    where clustered_at > {{ last_run_at('updated_at') }}
    union
    -- jobs that lost a record to the quarantine since
    select clusters.job_listing_id from {{ ref('int_job_records__clustered') }} as clusters
    inner join ({{ records_that_left(since=last_run_at('updated_at')) }}) as left_valid using (record_key)
    union
    select job_listing_id from {{ this }}
    where status = 'active' and last_seen_at < {{ stale_before() }}
    union
    -- jobs with a record JobsPikr's Expired Jobs API reported since
    select served.job_listing_id from {{ ref('int_job_records__served') }} as served
    where served.expiry_reported_at > {{ last_run_at('updated_at') }}

),
{% endif %}

records as (

    {% if only_affected_jobs %}
    -- per affected job, an index lookup (offset 0 keeps Postgres from joining the whole
    -- table instead, as its estimate of the affected set tempted it to)
    select served.* from affected
    cross join lateral (
        select * from {{ ref('int_job_records__served') }} as s
        -- correlated with the outer row (affected): noqa RF03
        where s.job_listing_id = affected.job_listing_id  -- noqa: RF03
        offset 0
    ) as served
    {% else %}
    select * from {{ ref('int_job_records__served') }}
    {% endif %}

)

select listings.*, current_timestamp as updated_at
from ({{ job_listing_rows('records') }}) as listings
