{{
    config(
        materialized='incremental',
        unique_key='record_key',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['record_key'], 'unique': true}, {'columns': ['checked_at']},
                 {'columns': ['quarantine_reason']}, {'columns': ['source', 'last_seen_at']},
                 {'columns': ['source', 'arrival_sequence']}],
        post_hook=["{{ refresh_planner_statistics(['record_key', 'checked_at', 'quarantine_reason']) }}"],
    )
}}
-- Every staged record with the first validation rule it fails (null: it passes). Valid
-- records go on to deduplication; the others to the quarantine, so nothing is silently
-- dropped. Incremental: a run checks only what each source delivered since the last run
-- (see arrived_since_last_run); a record delivered again is checked again and replaces
-- its earlier result, so a fixed record leaves the quarantine and a broken one enters it.
-- The look-back re-reads the last hours' records; those already checked at the same
-- delivery (same last_seen_at and arrival_sequence) are skipped, so that nothing
-- downstream scores them again.
-- depends_on: {{ ref('source_flags') }}
with

arrived as (

    select * from {{ ref('int_job_records__unioned') }} as unioned
    where {{ arrived_since_last_run() }}
    {% if is_incremental() %}
      -- a scalar subquery: one index probe per re-read record (NOT EXISTS became a hash
      -- anti-join over the whole table)
      and (select checked.last_seen_at = unioned.last_seen_at  -- noqa: RF01
                  and checked.arrival_sequence is not distinct from unioned.arrival_sequence  -- noqa: PRS, RF01
           from {{ this }} as checked where checked.record_key = unioned.record_key) is not true  -- noqa: PRS, RF01
    {% endif %}

)

select
    *,
    case
        when title is null then 'missing_title'
        when city_raw is null and state_raw is null and country_raw is null and not is_remote
            then 'no_usable_location'
        -- a post date the parse nulled says why (post_date_after_crawl, post_date_unparseable)
        when post_date is null then coalesce(
            (select issue ->> 'rule' from jsonb_array_elements(arrived.field_issues) as issue
             where issue ->> 'field' = 'post_date' limit 1), 'missing_post_date')
        when post_date > current_date + 1 then 'post_date_in_future'
        when post_date < date '2000-01-01' then 'post_date_before_2000'
        when url is null or url !~* '^https?://[a-z0-9.-]+\.[a-z]{2,}(:\d+)?(/\S*)?$' then 'invalid_url'
    end as quarantine_reason,
    current_timestamp as checked_at
from arrived
