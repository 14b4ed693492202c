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
-- Pairs of records scored as one job, with every comparison, the score and the decision:
--   match               the same job: merged into one listing (int_job_records__clustered);
--   possible_duplicate  close, but short of a match: flagged in marts.job_listing_matches,
--                       never merged.
-- Candidates share a blocking key (int_job_records__blocks) and were posted within
-- dedup_max_post_date_gap_days, or JobsPikr flagged one as a duplicate of the other
-- (duplicate_status / duplicate_of). Two records in different places are never the same
-- job (same_place: different cities are different listings; a remote job is anywhere), nor
-- are two that offer different terms (same_terms: a title's level words, the job type, the
-- pay), and a pair whose titles share too little (dedup_possible_title_similarity) and are
-- not the same words mistyped is not scored further. Every other candidate is compared on
-- general similarities, each cut into a few levels (comparison_levels,
-- macros/matching/match_score.sql: company, title, text, salary, post date, JobsPikr's
-- flag): token-set overlap and trigram similarity rather than equality after cleaning
-- rules, so that drift no rule names (a reordered title, a company written with its
-- division, a reflowed text) lowers a level instead of failing a test. Each level carries a
-- weight, the log2 of how much likelier it is among true pairs than among other
-- candidates, fitted on the tuning halves of the labelled real set (a Fellegi-Sunter model;
-- seed dedup_match_weights, written by ./pipeline bench dedup --fit); the score is their
-- sum and the seed's thresholds decide. A level the seed does not weigh counts 0.
-- Incremental: only pairs touching records blocked since the last run are scored; the
-- pre-hook first drops the old pairs of records normalised since (their values may have
-- changed) and of records that left (quarantined).
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
      and block_key in (select recent.block_key from recent where recent.block like 'shingles %')
    group by block_key
    having count(*) > {{ var('dedup_max_shingle_block_records') }}

),

-- materialized: each candidate is scored once, however many blocks it shares
candidates as materialized (

    select distinct
        least(recent.record_key, other.record_key)    as left_key,
        greatest(recent.record_key, other.record_key) as right_key
    from recent inner join blocks as other
        on recent.block_key = other.block_key
       and other.post_date between recent.post_date - {{ var('dedup_max_post_date_gap_days') }}
                               and recent.post_date + {{ var('dedup_max_post_date_gap_days') }}
       and recent.record_key <> other.record_key
    where recent.block_key not in (select common_shingles.block_key from common_shingles)
    union
    -- JobsPikr's own duplicate flag, either way round, whatever the blocks
    select least(flagging.record_key, flagged.record_key), greatest(flagging.record_key, flagged.record_key)
    from (select distinct record_key from recent) as touched
    inner join records as flagging on touched.record_key = flagging.record_key
    inner join records as flagged on flagged.record_key = 'jobspikr:' || flagging.duplicate_of
    union
    select least(flagging.record_key, flagged.record_key), greatest(flagging.record_key, flagged.record_key)
    from (select distinct record_key from recent) as touched
    inner join records as flagged on touched.record_key = flagged.record_key and flagged.source = 'jobspikr'
    inner join records as flagging on flagged.source_record_id = flagging.duplicate_of

),

-- The cheap tests first: only pairs in one place with titles close enough to be at least a
-- possible duplicate have their descriptions compared (most candidates from boilerplate
-- text are sibling roles, and stop here).
comparable as materialized (

    select
        candidates.left_key,
        candidates.right_key,
        titles.title_similarity,
        titles.title_overlap,
        words.title_a = words.title_b                       as title_same_words,
        role_words.role_a = role_words.role_b and cardinality(role_words.role_a) > 0 as title_same_role,
        words.title_a as title_words_a, words.title_b as title_words_b,
        {{ token_overlap('words.company_a', 'words.company_b') }} as company_overlap,
        a.company_norm = b.company_norm                     as same_company,
        a.company_norm is null or b.company_norm is null   as company_missing,
        'jobspikr:' || a.duplicate_of = b.record_key
            or 'jobspikr:' || b.duplicate_of = a.record_key as jobspikr_flagged,
        a.description_head as head_a, b.description_head as head_b,
        a.description_words as words_a, b.description_words as words_b,
        a.description_sketch as sketch_a, b.description_sketch as sketch_b,
        abs(a.post_date - b.post_date)                      as post_date_gap_days,
        {{ salary_agrees('a', 'b') }}                       as salary_agrees
    from candidates
    inner join records as a on candidates.left_key = a.record_key
    inner join records as b on candidates.right_key = b.record_key
    -- offset 0: computed once per pair (a plain subquery is inlined at every use)
    -- offset 0: each side's words are split once (sqlfluff's postgres grammar has no OFFSET
    -- without LIMIT: noqa PRS)
    cross join lateral (select {{ word_set('a.title_norm') }} as title_a, {{ word_set('b.title_norm') }} as title_b,
                               {{ word_set('a.company_norm') }} as company_a,
                               {{ word_set('b.company_norm') }} as company_b
                        offset 0) as words  -- noqa: PRS
    -- a title's role words: less the words that repeat either record's company or place
    -- (a board appends its city or the employer's name to a title), and filler words
    cross join lateral (select words.company_a || words.company_b
                               || string_to_array(concat_ws(' ', a.city_norm, b.city_norm, lower(a.state_code),
                                                            lower(b.state_code), 'at in for with of and the a an'), ' ')
                               as listed
                        offset 0) as company_and_place  -- noqa: PRS
    cross join lateral (select array(select title_word from unnest(words.title_a) as title_word
                                     where title_word <> all(company_and_place.listed) order by title_word) as role_a,
                               array(select title_word from unnest(words.title_b) as title_word
                                     where title_word <> all(company_and_place.listed) order by title_word) as role_b
                        offset 0) as role_words  -- noqa: PRS
    cross join lateral (select similarity(a.title_norm, b.title_norm) as title_similarity,
                               {{ token_overlap('words.title_a', 'words.title_b') }} as title_overlap
                        offset 0) as titles  -- noqa: PRS
    where {{ same_place('a', 'b') }}
      and ({{ var('dedup_score_other_terms') }} or {{ same_terms('a', 'b') }})
      and (greatest(titles.title_similarity, titles.title_overlap) >= {{ var('dedup_possible_title_similarity') }}
           or {{ same_words_but_typos('words.title_a', 'words.title_b') }})

),

-- materialized: each similarity is computed once (inlined, the decision would recompute them)
scored as materialized (

    select
        comparable.*,
        -- the openings' similarity, or, when that alone does not pass, the better of it and
        -- each opening found anywhere in the other's longer text (a copy with a few words of
        -- chrome before the ad still matches; word_similarity is the costly test, so it runs
        -- only where it can change the level)
        case when heads.head_similarity >= {{ var('dedup_description_similarity') }} then heads.head_similarity
             else greatest(heads.head_similarity,
                           word_similarity(left(comparable.head_a, 150), comparable.words_b),
                           word_similarity(left(comparable.head_b, 150), comparable.words_a)) end as opening_similarity,
        {{ sketch_similarity('comparable.sketch_a', 'comparable.sketch_b') }} as text_similarity,
        least(length(comparable.words_a), length(comparable.words_b)) < 40 as text_missing
    -- offset 0: computed once per pair (a plain subquery is inlined at every use)
    from comparable, lateral (select similarity(comparable.head_a, comparable.head_b) as head_similarity offset 0) as heads  -- noqa: PRS

),

compared as (

    select
        scored.*,
        {{ comparison_levels() }}
    from scored

),

weights as (

    select jsonb_object_agg(comparison || ':' || level, weight) as weights
    from {{ ref('dedup_match_weights') }} where comparison <> 'threshold'

),

weighed as (

    select compared.*, {{ match_score('weights.weights') }} as match_score
    from compared cross join weights

),

decided as (

    select
        weighed.*,
        case
            when weighed.match_score >= {{ dedup_threshold('match') }} then 'match'
            when weighed.match_score >= {{ dedup_threshold('possible') }} then 'possible_duplicate'
        end as decision
    from weighed

)

select
    left_key,
    right_key,
    decision,
    match_score,
    company_level,
    title_level,
    text_level,
    salary_level,
    posted_level,
    flag_level,
    title_similarity,
    opening_similarity,
    text_similarity,
    post_date_gap_days,
    coalesce(salary_agrees, true) as salary_agrees,
    current_timestamp as matched_at
from decided
-- every scored pair is kept when fitting the weights (./pipeline bench dedup --fit)
{% if not var('dedup_keep_unmatched_pairs') %}
where decision is not null
{% endif %}
