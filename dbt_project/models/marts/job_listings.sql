{{
    config(
        indexes=[
            {'columns': ['job_listing_id'], 'unique': true},
            {'columns': ['company_norm', 'post_date']},
            {'columns': ['state_code', 'post_date']},
            {'columns': ['post_date']},
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
with

records as (

    select r.*, c.cluster_key,
           (r.title is not null)::int + (r.company_name is not null)::int + (r.city_norm is not null)::int
           + (r.state_code is not null)::int + (r.salary_min is not null)::int
           + (r.description is not null)::int + (r.job_type is not null)::int as completeness
    from {{ ref('int_job_records__normalised') }} r
    join {{ ref('int_job_records__clustered') }} c using (record_key)

),

ranked as (

    select *,
           row_number() over (
               partition by cluster_key
               order by (source = 'jobspikr') desc, completeness desc, last_seen_at desc, record_key
           ) as rank_in_job
    from records

),

grouped as (

    select
        cluster_key,
        min(post_date)                                as first_post_date,
        min(first_seen_at)                            as first_seen_at,
        max(last_seen_at)                             as last_seen_at,
        bool_and(coalesce(has_expired, false))        as all_expired,
        array_agg(distinct source order by source)    as sources,
        count(*)                                      as record_count
    from records
    group by cluster_key

)

select
    md5(r.cluster_key)::text                          as job_listing_id,
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
    r.source_record_id                                as representative_record_id
from ranked r
join grouped g using (cluster_key)
where r.rank_in_job = 1
