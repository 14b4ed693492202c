{{
    config(
        indexes=[{'columns': ['left_job_listing_id']}, {'columns': ['right_job_listing_id']},
                 {'columns': ['decision']}],
    )
}}
-- Why records became one job: every pair of served records the matcher scored as a match
-- or a possible duplicate, with each signal and the decision (only pairs at one company in
-- one place are scored: those tests are not columns, they hold for every row). A `match` is merged into one
-- listing unless the cluster check kept the records apart (`merged` says which); a
-- `possible_duplicate` is flagged for an analyst and never merged. Rebuilt every run: it is
-- small (the pairs, not the records) and always agrees with the pairs the jobs came from.
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
    round(pairs.title_similarity::numeric, 3)               as title_similarity,
    round(pairs.opening_similarity::numeric, 3)             as opening_similarity,
    round(pairs.text_similarity::numeric, 3)                as text_similarity,
    pairs.post_date_gap_days,
    pairs.salary_agrees,
    pairs.matched_at
from {{ ref('int_job_pairs__matched') }} as pairs
join {{ ref('int_job_records__served') }} as l on l.record_key = pairs.left_key
join {{ ref('int_job_records__served') }} as r on r.record_key = pairs.right_key
