{{
    config(
        materialized='incremental',
        unique_key='record_key',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['record_key'], 'unique': true}, {'columns': ['block_title', 'post_date']},
                 {'columns': ['block_description', 'post_date']}, {'columns': ['normalised_at']}],
        post_hook=[
            "delete from {{ this }} n using {{ ref('int_job_records__checked') }} c
             where c.quarantine_reason is not null and c.record_key = n.record_key",
        ],
    )
}}
-- Valid records with normalised fields, their fingerprint and two blocking keys.
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
        {{ normalise_company('company_name') }} as company_norm,
        {{ normalise_city('city_raw') }}        as city_norm,
        states.state_code,
        {{ country_code('country_raw') }}       as country_code,
        -- the opening of the description as words, after the page chrome and prefixes
        -- boards put before it; a generous raw prefix is enough for it
        {{ description_words('description', var('dedup_description_chars') * 4) }} as description_words
    from valid
    left join {{ state_code_lookup() }} as states on states.state_key = {{ state_key('valid.state_raw') }}

)

select
    *,
    left(description_words, {{ var('dedup_description_chars') }}) as description_head,
    -- where a job is: remote (the record or its title says so) matches any place
    is_remote or title ~* '\mremote\M'                      as is_remote_job,
    {{ job_fingerprint('title_norm', 'company_norm', 'city_norm', 'state_code', 'country_code') }} as fingerprint,
    -- Block 1: same company, state and normalised title. Block 2: same opening of the
    -- description (reposts copy the text). Only records sharing a block are compared.
    md5(concat_ws('|', company_norm, coalesce(state_code, ''), title_norm)) as block_title,
    md5(left(description_words, 120))                                       as block_description,
    current_timestamp                                                       as normalised_at
from normalised
