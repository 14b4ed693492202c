{{
    config(
        materialized='incremental',
        unique_key='record_key',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['record_key'], 'unique': true}, {'columns': ['normalised_at']},
                 {'columns': ['duplicate_of']}],
        post_hook=["{{ delete_records_that_left() }}", "{{ refresh_planner_statistics(['record_key', 'normalised_at']) }}"],
    )
}}
-- Valid records with normalised fields, their fingerprint, and what matching compares: the
-- description's opening as words and a MinHash sketch of its whole cleaned text.
-- Incremental: a run normalises the records checked since the last run; the post-hook
-- removes a record whose newest delivery failed validation (it is in the quarantine now).
with

valid as (

    select * from {{ ref('int_job_records__checked') }}
    where quarantine_reason is null
    {% if is_incremental() %}
      and checked_at > {{ last_run_at('normalised_at') }}
    {% endif %}

),

-- materialized: each normalised value is computed once, not once per expression using it
normalised as materialized (

    select
        valid.*,
        {{ normalise_title('title') }}          as title_norm,
        -- null when the company is missing (a placeholder): it never blocks, scores or merges;
        -- compared (and indexed in the marts) by its first 200 characters
        left(nullif({{ normalise_company('company_name') }}, ''), 200) as company_norm,
        -- a city field holding only a state code ("FL") names the state, not a city
        case when city_states.state_code is null then {{ normalise_city('city_raw') }} end as city_norm,
        coalesce(states.state_code, city_states.state_code) as state_code,
        {{ country_code('country_raw') }}       as country_code,
        -- the opening of the description as words, after the page chrome and prefixes
        -- boards put before it; a generous raw prefix is enough for it
        {{ description_words('description', var('dedup_description_chars') * 4) }} as description_words,
        {{ description_sketch(description_words('description', var('dedup_shingle_chars'))) }} as description_sketch
    from valid
    left join {{ state_code_lookup() }} as states on states.state_key = {{ state_key('valid.state_raw') }}
    left join {{ state_code_lookup() }} as city_states
        on length(btrim(valid.city_raw)) = 2 and city_states.state_key = {{ state_key('valid.city_raw') }}

)

select
    *,
    -- every city the record names (a multi-city record several, see listed_cities)
    case when cities_raw is null then array_remove(array[city_norm], null)
         else array(select distinct {{ normalise_city('listed') }} from unnest(string_to_array(cities_raw, '|')) as listed
                    where {{ normalise_city('listed') }} is not null) end as city_norms,
    left(description_words, {{ var('dedup_description_chars') }}) as description_head,
    -- where a job is: remote (the record or its title says so) matches any place
    is_remote or title ~* '\mremote\M'                      as is_remote_job,
    {{ job_fingerprint('title_norm', 'company_norm', 'city_norm', 'state_code', 'country_code') }} as fingerprint,
    current_timestamp                                                       as normalised_at
from normalised
