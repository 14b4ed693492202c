-- The current version of each JobsPikr posting, in our internal shape.
-- Which version is current is the raw schema's rule, defined once in the view
-- raw.jobspikr_current_versions (plugins/jobspikr_pipeline/raw_schema/0008_current_versions.sql),
-- which the archive reads too. The view is flat (NOT EXISTS, no window), so an incremental
-- model's filter on last_seen_at still reaches the raw table's index.
with

source as (

    select * from {{ source('jobspikr', 'jobspikr_current_versions') }}

),

current_version as (

    select
        *,
        (select min(v.fetched_at) from {{ source('jobspikr', 'jobspikr_jobs') }} v
         where v.uniq_id = source.uniq_id) as first_fetched_at
    from source

),

fields as (

    select
        uniq_id,
        cursor,
        post_date,
        first_fetched_at,
        last_seen_at,
        fetched_at,
        nullif(btrim(payload ->> 'job_title'), '')          as title,
        nullif(btrim(payload ->> 'company_name'), '')       as company_name,
        nullif(btrim(payload ->> 'city'), '')               as city,
        nullif(btrim(payload ->> 'state'), '')              as state,
        nullif(btrim(payload ->> 'country'), '')            as country,
        nullif(btrim(payload ->> 'inferred_city'), '')      as inferred_city,
        nullif(btrim(payload ->> 'inferred_state'), '')     as inferred_state,
        nullif(btrim(payload ->> 'inferred_country'), '')   as inferred_country,
        payload ->> 'salary_offered'                        as salary_offered,
        payload
    from current_version

),

renamed as (

    select
        'jobspikr'::text                                            as source,
        uniq_id                                                     as source_record_id,
        title,
        company_name,
        -- JobsPikr's normalised (inferred) location first; the page's raw text when the
        -- inferred value is missing. location_source says which one the city came from.
        coalesce(inferred_city, city)                               as city_raw,
        coalesce(inferred_state, state)                             as state_raw,
        coalesce(inferred_country, country)                         as country_raw,
        coalesce({{ safe_boolean("payload ->> 'is_remote'") }}, false) as is_remote,
        case
            when inferred_city is not null then 'inferred'
            when city is not null then 'raw'
            when coalesce(inferred_state, state, inferred_country, country) is not null then 'region only'
        end                                                         as location_source,
        nullif(btrim(payload ->> 'job_type'), '')                   as job_type,
        lower(nullif(btrim(payload ->> 'job_board'), ''))           as job_board,
        nullif(btrim(payload ->> 'url'), '')                        as url,
        post_date,
        nullif(btrim(payload ->> 'job_description'), '')            as description,
        -- JobsPikr's parsed salary when present, else our parse of the text.
        coalesce({{ safe_numeric("payload ->> 'inferred_salary_from'") }}, {{ salary_min('salary_offered') }})
                                                                    as salary_min,
        coalesce({{ safe_numeric("payload ->> 'inferred_salary_to'") }}, {{ salary_max('salary_offered') }})
                                                                    as salary_max,
        coalesce(nullif(payload ->> 'inferred_salary_currency', ''), {{ salary_currency('salary_offered') }})
                                                                    as salary_currency,
        coalesce(nullif(payload ->> 'inferred_salary_time_unit', ''), {{ salary_period('salary_offered') }})
                                                                    as salary_period,
        {{ safe_boolean("payload ->> 'has_expired'") }}              as has_expired,
        first_fetched_at                                            as first_seen_at,
        last_seen_at,
        cursor                                                      as jobspikr_cursor,
        -- JobsPikr rows arrive in last_seen_at order (the loader stamps it); no sequence.
        null::bigint                                                as arrival_sequence
    from fields

)

select * from renamed
