{{
    config(
        materialized='incremental',
        unique_key='job_listing_id',
        post_hook=[
            "delete from {{ this }} l
             where not exists (select from {{ ref('job_listing_records') }} r where r.job_listing_id = l.job_listing_id)",
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
-- One row per distinct job. Its values come from one representative record, chosen by
-- this rule (first difference wins):
--   1. JobsPikr over the legacy scraper (JobsPikr's fields are normalised and richer);
--   2. the most complete record (title, company, city, state, salary, description, job type);
--   3. the most recently seen; 4. the smallest record key (a stable tie-break).
-- Dates and status aggregate the whole group: first seen, last seen, earliest post date,
-- `status`: expired when every record says so, stale when none was seen for
-- `listing_stale_after_days`, else active.
-- Incremental: the jobs with a record (re)clustered since the last run, and active jobs
-- that have just gone stale, are recomputed; the post-hook removes jobs left without
-- records (merged into another, quarantined, or no longer served). When the source flags
-- changed since the last run, every job is recomputed.
-- depends_on: {{ ref('job_listing_records') }}, {{ ref('source_flags') }}, {{ ref('int_job_records__clustered') }}, {{ ref('job_records_quarantine') }}
with

{% if is_incremental() and not source_flags_changed() %}
affected as (

    select job_listing_id from {{ ref('int_job_records__served') }}
    where clustered_at > {{ last_run_at('updated_at') }}
    union
    -- jobs that lost a record to the quarantine since
    select clustered.job_listing_id from {{ ref('int_job_records__clustered') }} clustered
    join {{ ref('job_records_quarantine') }} q using (record_key)
    where q.quarantined_at > {{ last_run_at('updated_at') }}
    union
    select job_listing_id from {{ this }}
    where status = 'active'
      and last_seen_at < current_timestamp - interval '{{ var("listing_stale_after_days") }} days'

),
{% endif %}

records as (

    select r.*,
           (r.title is not null)::int + (r.company_name is not null)::int + (r.city_norm is not null)::int
           + (r.state_code is not null)::int + (r.salary_min is not null)::int
           + (r.description is not null)::int + (r.job_type is not null)::int as completeness
    from {{ ref('int_job_records__served') }} r
    {% if is_incremental() and not source_flags_changed() %}
    where r.job_listing_id in (select job_listing_id from affected)
    {% endif %}

),

ranked as (

    select *,
           row_number() over (
               partition by job_listing_id
               order by (source = 'jobspikr') desc, completeness desc, last_seen_at desc, record_key
           ) as rank_in_job
    from records

),

grouped as (

    select
        job_listing_id,
        min(post_date)                                as first_post_date,
        min(first_seen_at)                            as first_seen_at,
        max(last_seen_at)                             as last_seen_at,
        bool_and(coalesce(has_expired, false))        as all_expired,
        array_agg(distinct source order by source)    as sources,
        count(*)                                      as record_count
    from records
    group by job_listing_id

)

select
    r.job_listing_id,
    r.title,
    r.company_name,
    r.company_norm,
    r.city_raw                                        as city,
    r.state_code,
    r.country_code,
    r.is_remote,
    r.job_type,
    r.url,
    g.first_post_date                                 as post_date,
    r.salary_min,
    r.salary_max,
    r.salary_currency,
    r.salary_period,
    g.first_seen_at,
    g.last_seen_at,
    case
        when g.all_expired then 'expired'
        when g.last_seen_at < current_timestamp - interval '{{ var("listing_stale_after_days") }} days' then 'stale'
        else 'active'
    end::text                                         as status,
    g.sources,
    g.record_count::integer                           as record_count,
    r.source                                          as representative_source,
    r.source_record_id                                as representative_record_id,
    current_timestamp                                 as updated_at
from ranked r
join grouped g using (job_listing_id)
where r.rank_in_job = 1
