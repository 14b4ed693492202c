{{
    config(
        materialized='incremental',
        unique_key='record_key',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['record_key'], 'unique': true}, {'columns': ['cluster_key']},
                 {'columns': ['job_listing_id']}, {'columns': ['clustered_at']}],
    )
}}
-- Each record's job: the connected component of the matched pairs it belongs to, named by
-- its smallest record key (the job's id in the marts is its md5). Records in no pair are a
-- job of their own.
-- Incremental: only the components that can have changed are walked again: those of records
-- normalised since the last run, of pairs matched since then, and the components those
-- records were in before (a record whose pair was dropped may leave its old job).
-- Components are small (a job's postings), so each walk is cheap. previous_job_listing_id
-- keeps the job a record was in before this run, so the marts can drop jobs left empty.
with recursive

records as not materialized (

    select record_key, normalised_at from {{ ref('int_job_records__normalised') }}

),

pairs as not materialized (

    select left_key, right_key, matched_at from {{ ref('int_job_pairs__matched') }}

),

{% if is_incremental() %}
{% set since = last_run_at('clustered_at') %}
touched as (

    select record_key from records where normalised_at > {{ since }}
    union
    select left_key from pairs where matched_at > {{ since }}
    union
    select right_key from pairs where matched_at > {{ since }}

),

seeds as (

    select record_key from touched
    union
    select earlier_job.record_key
    from {{ this }} as earlier
    join {{ this }} as earlier_job using (cluster_key)
    where earlier.record_key in (select record_key from touched)

),
{% else %}
seeds as (

    select record_key from records

),
{% endif %}

edges as (

    select left_key as node, right_key as neighbour from pairs
    union all
    select right_key, left_key from pairs

),

walk (seed, node) as (

    select record_key, record_key from seeds
    union
    select walk.seed, edges.neighbour from walk join edges on edges.node = walk.node

),

components as (

    select seed, min(node) as cluster_key from walk group by seed

)

select
    components.seed                 as record_key,
    components.cluster_key,
    md5(components.cluster_key)     as job_listing_id,
    {% if is_incremental() %}
    earlier.job_listing_id          as previous_job_listing_id,
    {% else %}
    null::text                      as previous_job_listing_id,
    {% endif %}
    current_timestamp               as clustered_at
from components
join records on records.record_key = components.seed
{% if is_incremental() %}
left join {{ this }} as earlier on earlier.record_key = components.seed
{% endif %}
