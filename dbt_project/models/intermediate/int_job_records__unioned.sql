-- Every source's records in one shape. All sources are cleaned and deduplicated together
-- (so a JobsPikr posting and the legacy scraper's copy of it become one job); the marts
-- serve the sources the `source_flags` seed enables.
with

unioned as (

    {% for model in ['stg_jobspikr__jobs', 'stg_legacy__jobs'] %}
    select
        source || ':' || source_record_id as record_key,
        source, source_record_id, title, company_name, city_raw, cities_raw, state_raw, country_raw, is_remote,
        location_source, job_type, job_board, url, post_date, description,
        salary_min, salary_max, salary_currency, salary_period, has_expired, duplicate_of, first_seen_at, last_seen_at,
        arrival_sequence, field_issues
    from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from unioned
