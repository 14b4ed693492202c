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

-- Candidate pairs carry both records' values from the join that found them, so scoring
-- needs no second lookup. materialized: only these pairs are scored; the planner never
-- compares whole companies.
candidates as materialized (

    {% for block in ['block_title', 'block_description'] %}
    select
        least(recent.record_key, other.record_key)          as left_key,
        greatest(recent.record_key, other.record_key)       as right_key,
        recent.title_norm as title_a,             other.title_norm as title_b,
        recent.description_head as description_a, other.description_head as description_b,
        recent.post_date as post_date_a,          other.post_date as post_date_b,
        recent.salary_min as salary_a,            other.salary_min as salary_b,
        recent.company_norm = other.company_norm            as same_company
    from recent join records as other
        on other.{{ block }} = recent.{{ block }}
       and other.post_date between recent.post_date - {{ var('dedup_max_post_date_gap_days') }}
                               and recent.post_date + {{ var('dedup_max_post_date_gap_days') }}
       and other.record_key <> recent.record_key
    {% if not loop.last %}union{% endif %}
    {% endfor %}

),

scored as (

    select
        left_key,
        right_key,
        similarity(title_a, title_b)                        as title_similarity,
        similarity(description_a, description_b)           as description_similarity,
        abs(post_date_a - post_date_b)                      as post_date_gap_days,
        salary_a,
        salary_b,
        same_company
    from candidates

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
