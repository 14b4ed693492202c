-- Every source's records in one shape, limited to the sources the `source_flags` seed
-- enables: flipping a flag and re-running switches what the marts serve.
with

enabled_sources as (

    select source from {{ ref('source_flags') }} where enabled

),

unioned as (

    {% for model in ['stg_jobspikr__jobs', 'stg_legacy__jobs'] %}
    select
        source || ':' || source_record_id as record_key,
        source, source_record_id, title, company_name, city_raw, state_raw, country_raw, is_remote,
        location_source, job_type, job_board, url, post_date, description,
        salary_min, salary_max, salary_currency, salary_period, has_expired, first_seen_at, last_seen_at
    from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select unioned.*
from unioned
join enabled_sources using (source)
