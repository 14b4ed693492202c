{{
    config(
        materialized='incremental',
        unique_key=['left_key', 'right_key'],
        indexes=[{'columns': ['left_key']}, {'columns': ['right_key']}, {'columns': ['matched_at']}],
        pre_hook=[
            "{% if is_incremental() %}{{ delete_pairs_of_changed_records('left_key') }}{% endif %}",
            "{% if is_incremental() %}{{ delete_pairs_of_changed_records('right_key') }}{% endif %}",
        ],
    )
}}
-- depends_on: {{ ref('int_job_records__checked') }}
-- Pairs of records judged to be the same job. Candidates share a blocking key (so the
-- cost grows with block sizes, not with the square of the table); a candidate matches when
--   the normalised titles are similar (pg_trgm, >= dedup_title_similarity),
--   the description openings are near-identical (>= dedup_description_similarity),
--   the post dates are close (<= dedup_max_post_date_gap_days), and
--   the salaries agree within dedup_salary_tolerance when both are known.
-- Same-company postings for other roles share boilerplate but not their openings or titles,
-- so they stay apart. Incremental: only pairs touching records normalised since the last run
-- are scored; the pre-hook first drops the old pairs of those records (their values may have
-- changed) and pairs of records that left (quarantined).
with

-- not materialized: the lookups below use the table's indexes
records as not materialized (

    select * from {{ ref('int_job_records__normalised') }}

),

recent as (

    select * from records
    {% if is_incremental() %}
    where normalised_at > {{ last_run_at('matched_at') }}
    {% endif %}

),

-- materialized: score only the candidate pairs, never let the planner compare whole companies
candidates as materialized (

    select recent.record_key as key_a, other.record_key as key_b
    from recent join records as other
        on other.block_title = recent.block_title
       and other.post_date between recent.post_date - {{ var('dedup_max_post_date_gap_days') }}
                               and recent.post_date + {{ var('dedup_max_post_date_gap_days') }}
       and other.record_key <> recent.record_key
    union
    select recent.record_key, other.record_key
    from recent join records as other
        on other.block_description = recent.block_description
       and other.post_date between recent.post_date - {{ var('dedup_max_post_date_gap_days') }}
                               and recent.post_date + {{ var('dedup_max_post_date_gap_days') }}
       and other.record_key <> recent.record_key

),

scored as materialized (

    select
        least(c.key_a, c.key_b)                             as left_key,
        greatest(c.key_a, c.key_b)                          as right_key,
        similarity(a.title_norm, b.title_norm)              as title_similarity,
        similarity(a.description_head, b.description_head)  as description_similarity,
        abs(a.post_date - b.post_date)                      as post_date_gap_days,
        a.salary_min as salary_a,
        b.salary_min as salary_b,
        a.company_norm = b.company_norm                     as same_company
    from candidates c
    join records a on a.record_key = c.key_a
    join records b on b.record_key = c.key_b

)

select distinct on (left_key, right_key)
    left_key,
    right_key,
    title_similarity,
    description_similarity,
    post_date_gap_days,
    current_timestamp as matched_at
from scored
where same_company
  and title_similarity >= {{ var('dedup_title_similarity') }}
  and description_similarity >= {{ var('dedup_description_similarity') }}
  and post_date_gap_days <= {{ var('dedup_max_post_date_gap_days') }}
  and (salary_a is null or salary_b is null
       or abs(salary_a - salary_b) <= {{ var('dedup_salary_tolerance') }} * greatest(salary_a, salary_b))
order by left_key, right_key
