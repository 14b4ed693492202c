{{
    config(
        materialized='incremental',
        unique_key='record_key',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['record_key'], 'unique': true}, {'columns': ['block_title']},
                 {'columns': ['block_description']}, {'columns': ['source', 'last_seen_at']}],
    )
}}
-- Valid records with normalised fields, their fingerprint and two blocking keys.
-- Incremental: a run re-reads the records each source delivered within the look-back window
-- of its own newest record, plus any record not normalised yet (a source can deliver rows
-- with old timestamps late, as the legacy scraper does with scraped_at).
with

checked as (

    select * from {{ ref('int_job_records__checked') }}

),

{% if is_incremental() %}
newest_per_source as (

    select source, max(last_seen_at) - interval '{{ var("incremental_lookback_hours") }} hours' as since
    from {{ this }}
    group by source

),
{% endif %}

valid as (

    select checked.* from checked
    {% if is_incremental() %}
    left join newest_per_source n using (source)
    left join {{ this }} already using (record_key)
    {% endif %}
    where checked.quarantine_reason is null
    {% if is_incremental() %}
      and (already.record_key is null or checked.last_seen_at > n.since)
    {% endif %}

),

normalised as (

    select
        *,
        {{ normalise_title('title') }}          as title_norm,
        {{ normalise_company('company_name') }} as company_norm,
        {{ normalise_city('city_raw') }}        as city_norm,
        {{ state_code('state_raw') }}           as state_code,
        {{ country_code('country_raw') }}       as country_code,
        left(btrim(regexp_replace(lower(coalesce(description, '')), '[^a-z0-9]+', ' ', 'g')),
             {{ var('dedup_description_chars') }}) as description_head
    from valid

)

select
    *,
    {{ job_fingerprint('title_norm', 'company_norm', 'city_norm', 'state_code', 'country_code') }} as fingerprint,
    -- Block 1: same company, state and normalised title. Block 2: same opening of the
    -- description (reposts copy the text). Only records sharing a block are compared.
    md5(concat_ws('|', company_norm, coalesce(state_code, ''), title_norm)) as block_title,
    md5(left(description_head, 120))                                        as block_description,
    current_timestamp                                                       as normalised_at
from normalised
