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
        (select min(v.fetched_at) from {{ source('jobspikr', 'jobspikr_jobs') }} as v
         where v.uniq_id = source.uniq_id) as first_fetched_at
    from source

),

fields as (

    select
        current_version.*,
        {{ missing_value("payload ->> 'job_title'") }}         as title,
        {{ missing_value("payload ->> 'company_name'") }}      as company_name,
        {{ missing_value("payload ->> 'city'") }}              as city,
        {{ missing_value("payload ->> 'state'") }}             as state,
        {{ missing_value("payload ->> 'country'") }}           as country,
        {{ missing_value("payload ->> 'inferred_city'") }}     as inferred_city,
        {{ missing_value("payload ->> 'inferred_state'") }}    as inferred_state,
        {{ missing_value("payload ->> 'inferred_country'") }}  as inferred_country,
        salary.*
    from current_version
    -- JobsPikr's parsed salary when it sent one, else our parse of the text
    cross join lateral {{ parsed_salary("current_version.payload ->> 'salary_offered'",
                                        "current_version.payload ->> 'inferred_salary_from'",
                                        "current_version.payload ->> 'inferred_salary_to'",
                                        "current_version.payload ->> 'inferred_salary_currency'",
                                        "current_version.payload ->> 'inferred_salary_time_unit'") }} as salary

),

renamed as (

    select
        'jobspikr'::text                                            as "source",
        uniq_id                                                     as source_record_id,
        title,
        company_name,
        -- JobsPikr's normalised (inferred) location first; the page's raw text when the
        -- inferred value is missing. location_source says which one the city came from.
        -- a city of "Remote" names no place but says the job is remote; several cities
        -- come joined by "|" (listed_city, listed_cities)
        {{ listed_city('coalesce(inferred_city, city)') }}          as city_raw,
        {{ listed_cities('coalesce(inferred_city, city)') }}        as cities_raw,
        coalesce(inferred_state, state)                             as state_raw,
        coalesce(inferred_country, country)                         as country_raw,
        coalesce({{ safe_boolean("payload ->> 'is_remote'") }}, false) or {{ names_remote('coalesce(inferred_city, city)') }}
                                                                    as is_remote,
        case
            when inferred_city is not null then 'inferred'
            when city is not null then 'raw'
            when coalesce(inferred_state, state, inferred_country, country) is not null then 'region only'
        end                                                         as location_source,
        {{ missing_value("payload ->> 'job_type'") }}               as job_type,
        lower(nullif(btrim(payload ->> 'job_board'), ''))           as job_board,
        nullif(btrim(payload ->> 'url'), '')                        as url,
        {{ checked_post_date('post_date', 'crawl_timestamp') }}     as post_date,
        nullif(btrim(payload ->> 'job_description'), '')            as description,
        salary_min,
        salary_max,
        salary_currency,
        salary_period,
        {{ safe_boolean("payload ->> 'has_expired'") }}              as has_expired,
        -- JobsPikr's own duplicate flag: the record it says this one copies (evidence for
        -- matching, not the truth)
        case when {{ safe_boolean("payload ->> 'duplicate_status'") }}
             then {{ missing_value("payload ->> 'duplicate_of'") }} end as duplicate_of,
        first_fetched_at                                            as first_seen_at,
        last_seen_at,
        cursor                                                      as jobspikr_cursor,
        -- JobsPikr rows arrive in last_seen_at order (the loader stamps it); no sequence.
        null::bigint                                                as arrival_sequence,
        {{ field_issues([
            ('job_title', placeholder_issue("payload ->> 'job_title'"), "payload ->> 'job_title'"),
            ('company_name', placeholder_issue("payload ->> 'company_name'"), "payload ->> 'company_name'"),
            ('city', placeholder_issue("coalesce(payload ->> 'inferred_city', payload ->> 'city')"),
             "coalesce(payload ->> 'inferred_city', payload ->> 'city')"),
            ('state', placeholder_issue("coalesce(payload ->> 'inferred_state', payload ->> 'state')"),
             "coalesce(payload ->> 'inferred_state', payload ->> 'state')"),
            ('job_type', placeholder_issue("payload ->> 'job_type'"), "payload ->> 'job_type'"),
            ('is_remote', not_a_boolean_issue("payload ->> 'is_remote'"), "payload ->> 'is_remote'"),
            ('has_expired', not_a_boolean_issue("payload ->> 'has_expired'"), "payload ->> 'has_expired'"),
            ('post_date', post_date_issue('post_date', "payload ->> 'post_date'", 'crawl_timestamp'),
             "payload ->> 'post_date'"),
            ('salary', 'salary_issue', "coalesce(payload ->> 'salary_offered', (payload ->> 'inferred_salary_from') || ' - ' || (payload ->> 'inferred_salary_to'))"),
        ]) }}                                                       as field_issues
    from fields

)

select * from renamed
