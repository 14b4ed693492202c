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
--   the description openings are near-identical (>= dedup_description_similarity), the
--     opening of either found in the other's longer text (pg_trgm word_similarity), so page
--     chrome or a prefix before the ad does not hide a copy,
--   the records are in the same place (city and state agree where both are named;
--     a remote job matches anywhere: multi-location requisitions are one listing per city),
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
        recent.description_words as words_a,      other.description_words as words_b,
        -- the same place, or a place one side does not name, or a remote job
        (recent.city_norm is null or other.city_norm is null or recent.city_norm = other.city_norm
         -- "tampa" and "tampa fl": one side wrote the state into the city
         or recent.city_norm like other.city_norm || ' %' or other.city_norm like recent.city_norm || ' %'
         or recent.is_remote_job or other.is_remote_job)
        and (recent.state_code is null or other.state_code is null or recent.state_code = other.state_code
             or recent.is_remote_job or other.is_remote_job) as same_place,
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
        -- the better of the two openings found anywhere in the other's longer text: a
        -- copy with a few words of chrome before the ad still matches
        greatest(similarity(description_a, description_b),
                 word_similarity(left(description_a, 150), words_b),
                 word_similarity(left(description_b, 150), words_a)) as description_similarity,
        abs(post_date_a - post_date_b)                      as post_date_gap_days,
        salary_a,
        salary_b,
        same_company,
        same_place
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
  and same_place
  and title_similarity >= {{ var('dedup_title_similarity') }}
  and description_similarity >= {{ var('dedup_description_similarity') }}
  and post_date_gap_days <= {{ var('dedup_max_post_date_gap_days') }}
  and (salary_a is null or salary_b is null
       or abs(salary_a - salary_b) <= {{ var('dedup_salary_tolerance') }} * greatest(salary_a, salary_b))
order by left_key, right_key
