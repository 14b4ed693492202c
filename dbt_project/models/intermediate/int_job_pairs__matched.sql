{{
    config(
        materialized='incremental',
        unique_key=['left_key', 'right_key'],
        indexes=[{'columns': ['left_key']}, {'columns': ['right_key']}, {'columns': ['matched_at']}],
        pre_hook=[
            "{% if is_incremental() %}{{ delete_pairs_of_changed_records('left_key') }}{% endif %}",
            "{% if is_incremental() %}{{ delete_pairs_of_changed_records('right_key') }}{% endif %}",
        ],
        post_hook=["{{ refresh_planner_statistics(['left_key', 'right_key', 'matched_at', 'decision']) }}"],
    )
}}
-- depends_on: {{ ref('int_job_records__checked') }}
-- Pairs of records scored as one job, with every signal and the decision:
--   match               the same job: merged into one listing (int_job_records__clustered);
--   possible_duplicate  close, but one signal short of a match: flagged in
--                       marts.job_listing_matches, never merged.
-- Candidates share a blocking key (int_job_records__blocks) and were posted within
-- dedup_max_post_date_gap_days. A candidate matches when
--   the companies are the same (normalised) and the records are in the same place
--     (same_place: different cities are different listings; a remote job is anywhere),
--   the normalised titles are similar (pg_trgm, >= dedup_title_similarity),
--   the descriptions agree: the opening of either is found, near-identical, in the other's
--     text (>= dedup_description_similarity; pg_trgm word_similarity, so page chrome or a
--     prefix before the ad does not hide a copy), or the whole cleaned texts share most of
--     their shingles (bottom-k MinHash estimate >= dedup_text_similarity), for copies whose openings
--     differ, and
--   the salaries agree within dedup_salary_tolerance when both are known.
-- Same-company postings for other roles share boilerplate but not their titles or their
-- text as a whole, so they stay apart. Incremental: only pairs touching records blocked
-- since the last run are scored; the pre-hook first drops the old pairs of records
-- normalised since (their values may have changed) and of records that left (quarantined).
with

-- not materialized: the lookups below use the tables' indexes
records as not materialized (

    select * from {{ ref('int_job_records__normalised') }}

),

blocks as not materialized (

    select * from {{ ref('int_job_records__blocks') }}

),

recent as (

    select * from blocks
    {% if is_incremental() %}
    where blocked_at > {{ last_run_at('matched_at') }}
    {% endif %}

),

-- A shingle key shared by many records is a company's boilerplate, not evidence of a copy:
-- such keys are skipped (title, word and opening keys never are).
common_shingles as (

    select block_key from blocks
    where block like 'shingles %'
      and block_key in (select block_key from recent where block like 'shingles %')
    group by block_key
    having count(*) > {{ var('dedup_max_shingle_block_records') }}

),

-- materialized: each candidate is scored once, however many blocks it shares
candidates as materialized (

    select distinct
        least(recent.record_key, other.record_key)    as left_key,
        greatest(recent.record_key, other.record_key) as right_key
    from recent join blocks as other
        on other.block_key = recent.block_key
       and other.post_date between recent.post_date - {{ var('dedup_max_post_date_gap_days') }}
                               and recent.post_date + {{ var('dedup_max_post_date_gap_days') }}
       and other.record_key <> recent.record_key
    where recent.block_key not in (select block_key from common_shingles)

),

-- The cheap tests first: only same-company, same-place pairs with a title close enough to
-- be at least a possible duplicate have their descriptions compared (most candidates from
-- boilerplate text are sibling roles, and stop here).
comparable as materialized (

    select
        candidates.left_key,
        candidates.right_key,
        titles.title_similarity,
        a.description_head as head_a, b.description_head as head_b,
        a.description_words as words_a, b.description_words as words_b,
        a.description_sketch as sketch_a, b.description_sketch as sketch_b,
        abs(a.post_date - b.post_date)                      as post_date_gap_days,
        a.salary_min is null or b.salary_min is null
            or abs(a.salary_min - b.salary_min)
               <= {{ var('dedup_salary_tolerance') }} * greatest(a.salary_min, b.salary_min) as salary_agrees
    from candidates
    join records as a on a.record_key = candidates.left_key
    join records as b on b.record_key = candidates.right_key
    -- offset 0: computed once per pair (a plain subquery is inlined at every use)
    cross join lateral (select similarity(a.title_norm, b.title_norm) as title_similarity offset 0) as titles
    where a.company_norm = b.company_norm
      and {{ same_place('a', 'b') }}
      and titles.title_similarity >= {{ var('dedup_possible_title_similarity') }}

),

-- materialized: each similarity is computed once (inlined, the decision would recompute them)
scored as materialized (

    select
        left_key,
        right_key,
        title_similarity,
        -- the openings' similarity, or, when that alone does not pass, the better of it and
        -- each opening found anywhere in the other's longer text (a copy with a few words of
        -- chrome before the ad still matches; word_similarity is the costly test, so it runs
        -- only where it can change the decision)
        case when head_similarity >= {{ var('dedup_description_similarity') }} then head_similarity
             else greatest(head_similarity,
                           word_similarity(left(head_a, 150), words_b),
                           word_similarity(left(head_b, 150), words_a)) end as opening_similarity,
        {{ sketch_similarity('sketch_a', 'sketch_b') }}     as text_similarity,
        post_date_gap_days,
        salary_agrees
    -- offset 0: computed once per pair (a plain subquery is inlined at every use)
    from comparable, lateral (select similarity(head_a, head_b) as head_similarity offset 0) as heads

),

decided as (

    select
        *,
        case
            when title_similarity >= {{ var('dedup_title_similarity') }}
             and (opening_similarity >= {{ var('dedup_description_similarity') }}
                  or text_similarity >= {{ var('dedup_text_similarity') }})
             and salary_agrees
                then 'match'
            when title_similarity >= {{ var('dedup_possible_title_similarity') }}
             and (opening_similarity >= {{ var('dedup_possible_description_similarity') }}
                  or text_similarity >= {{ var('dedup_possible_text_similarity') }})
                then 'possible_duplicate'
        end as decision
    from scored

)

select
    left_key,
    right_key,
    decision,
    title_similarity,
    opening_similarity,
    text_similarity,
    post_date_gap_days,
    salary_agrees,
    current_timestamp as matched_at
from decided
where decision is not null
