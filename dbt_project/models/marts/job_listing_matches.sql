{{
    config(
        materialized='incremental',
        unique_key=['left_record_key', 'right_record_key'],
        indexes=[{'columns': ['left_record_key', 'right_record_key'], 'unique': true},
                 {'columns': ['right_record_key']}, {'columns': ['left_job_listing_id']},
                 {'columns': ['right_job_listing_id']}, {'columns': ['decision']}],
        post_hook=[
            "{% if is_incremental() %}{{ delete_matches_no_longer_scored('left_record_key') }}{% endif %}",
            "{% if is_incremental() %}{{ delete_matches_no_longer_scored('right_record_key') }}{% endif %}",
            "{{ mark_source_flags_version() }}",
        ],
    )
}}
-- depends_on: {{ ref('int_job_records__clustered') }}, {{ ref('int_job_records__checked') }}, {{ ref('source_flags') }}
-- Why records became one job: every pair of served records the matcher scored as a match
-- or a possible duplicate, with each comparison's level, the score and the decision (only
-- pairs in one place are scored: that test is not a column, it holds for every row).
-- A `match` is merged into one listing unless the clustering kept the records apart
-- (`merged` says which: a bridge record's matches with the jobs it did not join, or a
-- record not the same job as its job's centre); a `possible_duplicate` is flagged for an
-- analyst, never merged.
-- Incremental: the pairs of records (re)clustered since the last run are upserted (their
-- jobs or scores may have changed); the post-hooks drop the pairs of those records that
-- are no longer scored. When the source flags changed, every row is recomputed.
{% set only_reclustered = is_incremental() and not source_flags_changed() %}
with

{% if only_reclustered %}
reclustered as (

    select record_key from {{ ref('int_job_records__clustered') }}
    where clustered_at > {{ last_run_at('updated_at') }}

),
{% endif %}

pairs as (

    {% if only_reclustered %}
    -- one statement per key column: each is a hash semi-join
    select * from {{ ref('int_job_pairs__matched') }} where left_key in (select reclustered.record_key from reclustered)
    union
    select * from {{ ref('int_job_pairs__matched') }} where right_key in (select reclustered.record_key from reclustered)
    {% else %}
    select * from {{ ref('int_job_pairs__matched') }}
    {% endif %}

)

select
    pairs.left_key                                          as left_record_key,
    l.source                                                as left_source,
    l.source_record_id                                      as left_source_record_id,
    l.job_listing_id                                        as left_job_listing_id,
    pairs.right_key                                         as right_record_key,
    r.source                                                as right_source,
    r.source_record_id                                      as right_source_record_id,
    r.job_listing_id                                        as right_job_listing_id,
    pairs.decision,
    l.job_listing_id = r.job_listing_id                     as merged,
    round(pairs.match_score::numeric, 3)                    as match_score,
    pairs.company_level,
    pairs.title_level,
    pairs.text_level,
    pairs.salary_level,
    pairs.posted_level,
    pairs.flag_level,
    round(pairs.title_similarity::numeric, 3)               as title_similarity,
    round(pairs.opening_similarity::numeric, 3)             as opening_similarity,
    round(pairs.text_similarity::numeric, 3)                as text_similarity,
    pairs.post_date_gap_days,
    pairs.salary_agrees,
    pairs.matched_at,
    current_timestamp                                       as updated_at
from pairs
inner join {{ ref('int_job_records__served') }} as l on pairs.left_key = l.record_key
inner join {{ ref('int_job_records__served') }} as r on pairs.right_key = r.record_key
