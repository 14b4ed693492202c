{#- Documented in _cutover__macros.yml. -#}
{% macro cutover_metrics(by_day) -%}
{%- set day = 'post_date' if by_day else 'null::date' -%}
{%- set fields = var('completeness_fields') -%}
{%- set field_columns = fields.values() | join(', ') -%}
with

records as (

    select * from {{ ref('int_job_records__assigned') }}

),

jobs as (

    select
        job_listing_id,
        min(post_date)                        as post_date,
        bool_or(source = 'jobspikr')          as in_jobspikr,
        bool_or(source = 'legacy')            as in_legacy
    from records
    group by job_listing_id

),

overlap_records as (

    select 'overlap'::text as source, records.job_listing_id, records.post_date,
           {% for column in fields.values() %}records.{{ column }}, {% endfor %}records.first_seen_at
    from records join jobs using (job_listing_id)
    where jobs.in_jobspikr and jobs.in_legacy

),

per_source as (

    select
        {{ day }}                                                     as metric_date,
        source,
        count(*)::numeric                                             as records,
        count(distinct job_listing_id)::numeric                       as unique_jobs,
        {% for name, column in fields.items() -%}
        100.0 * avg(({{ column }} is not null)::int)                  as completeness_{{ name }}_pct,
        {% endfor -%}
        percentile_cont(0.5) within group (
            order by extract(epoch from first_seen_at - post_date::timestamptz) / 3600) as freshness_hours
    from (
        select source, job_listing_id, post_date, {{ field_columns }}, first_seen_at from records
        union all
        select source, job_listing_id, post_date, {{ field_columns }}, first_seen_at from overlap_records
    ) as measured
    group by 1, 2

),

coverage as (

    select
        {{ day }}                                                     as metric_date,
        count(*) filter (where in_jobspikr)                           as jobspikr_jobs,
        count(*) filter (where in_legacy)                             as legacy_jobs,
        count(*) filter (where in_jobspikr and in_legacy)             as overlap_jobs,
        count(*)                                                      as all_jobs
    from jobs
    group by 1

),

quarantined as (

    select {{ 'coalesce(post_date, last_seen_at::date)' if by_day else 'null::date' }} as metric_date,
           source, count(*)::numeric as records
    from {{ ref('job_records_quarantine') }}
    group by 1, 2

),

ingestion as (

    select {{ 'started_at::date' if by_day else 'null::date' }} as metric_date,
           'jobspikr'::text as source, sum(load_seconds) as seconds
    from {{ ref('stg_jobspikr__loads') }}
    where status = 'succeeded'
    group by 1

),

measures as (

    select
        p.*,
        case p.source
            when 'jobspikr' then 100.0 * c.overlap_jobs / nullif(c.legacy_jobs, 0)
            when 'legacy' then 100.0 * c.overlap_jobs / nullif(c.jobspikr_jobs, 0)
            else 100.0 * c.overlap_jobs / nullif(c.all_jobs, 0)
        end                                                           as coverage_pct,
        100.0 * (p.records - p.unique_jobs) / nullif(p.records, 0)    as duplicate_rate_pct,
        case when p.source <> 'overlap'
            then 100.0 * coalesce(q.records, 0) / nullif(p.records + coalesce(q.records, 0), 0)
        end                                                           as quarantine_rate_pct
    from per_source p
    left join coverage c on c.metric_date is not distinct from p.metric_date
    left join quarantined q on q.metric_date is not distinct from p.metric_date and q.source = p.source

)

select metric_date, source, metric, value::numeric as value
from measures
cross join lateral (values
    ('records', records),
    ('unique_jobs', unique_jobs),
    ('coverage_pct', coverage_pct),
    {% for name in fields -%}
    ('completeness_{{ name }}_pct', completeness_{{ name }}_pct),
    {% endfor -%}
    ('freshness_hours', freshness_hours),
    ('duplicate_rate_pct', duplicate_rate_pct),
    ('quarantine_rate_pct', quarantine_rate_pct)
) as unpivoted (metric, value)
where value is not null
union all
select metric_date, source, 'ingestion_seconds', seconds::numeric from ingestion where seconds is not null
{%- endmacro %}
