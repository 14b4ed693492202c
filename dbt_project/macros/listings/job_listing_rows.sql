{#- Documented in _listings__macros.yml. -#}
{% macro job_listing_rows(records) -%}
with

scored as (

    select r.*,
           {% for column in var('completeness_fields').values() -%}
           {{ '+ ' if not loop.first }}(r.{{ column }} is not null)::int
           {% endfor -%} as completeness
    from {{ records }} r

),

ranked as (

    select *,
           row_number() over (
               partition by job_listing_id
               order by (source = 'jobspikr') desc, completeness desc, last_seen_at desc, record_key
           ) as rank_in_job
    from scored

),

grouped as (

    select
        job_listing_id,
        min(post_date)                                as first_post_date,
        min(first_seen_at)                            as first_seen_at,
        max(last_seen_at)                             as last_seen_at,
        bool_and({{ record_is_expired('scored') }})   as all_expired,
        max(expired_on)                               as last_expired_on,
        array_agg(distinct source order by source)    as sources,
        count(*)                                      as record_count
    from scored
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
    {{ listing_status('g.all_expired', 'g.last_seen_at') }}::text as status,
    case when g.all_expired then g.last_expired_on end as expired_on,
    g.sources,
    g.record_count::integer                           as record_count,
    r.source                                          as representative_source,
    r.source_record_id                                as representative_record_id
from ranked r
join grouped g using (job_listing_id)
where r.rank_in_job = 1
{%- endmacro %}
