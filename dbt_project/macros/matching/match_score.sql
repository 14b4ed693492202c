{#-
  The matcher's comparisons and score (int_job_pairs__matched).

  word_set(expr): the distinct words of a text, sorted (equal for reordered titles).
  token_overlap(a_words, b_words): how much of the shorter of two word sets (word_set) the
    other contains (words in both / words of the shorter; 0 when either is empty): "data
    scientist senior" and "senior data scientist" overlap fully, "google" and "google
    cloud" too. Trigram similarity (pg_trgm) reads spelling; this reads words.

  comparison_levels(): each comparison of a scored pair cut into levels, as columns:
    company_level  same (normalised names equal) / contained (one's words all in the other's)
                   / overlapping (half of them) / different / missing
    title_level    same / reordered (the same words in another order) / close (trigram
                   similarity >= 0.85) / similar (trigram or word overlap >= 0.6) / different
    text_level     same (opening or whole-text similarity >= 0.95) / close (>= 0.8) /
                   similar (>= 0.5) / different / missing (a text under 40 characters)
    salary_level   agree (within dedup_salary_tolerance) / disagree / unknown
    posted_level   same_day (<= 1 day apart) / same_week (<= 7) / later
    flag_level     flagged (JobsPikr says one duplicates the other) / unflagged

  match_score(weights): the sum of the levels' weights, `weights` being a jsonb object of
    "comparison:level" -> weight (from the seed dedup_match_weights); a level without a
    weight counts 0.

  dedup_threshold(kind): the seed's score threshold for a `match` or a `possible` duplicate.
-#}
{% macro word_set(expr) -%}
    array(select distinct word from unnest(string_to_array({{ expr }}, ' ')) as word order by word)
{%- endmacro %}

{% macro token_overlap(a_words, b_words) -%}
    coalesce(cardinality(array(select unnest({{ a_words }}) intersect select unnest({{ b_words }})))::float
             / nullif(least(cardinality({{ a_words }}), cardinality({{ b_words }})), 0), 0)
{%- endmacro %}

{% macro comparison_levels() -%}
    case
        when company_missing then 'missing'
        when same_company then 'same'
        when company_overlap >= 0.999 then 'contained'
        when company_overlap >= 0.5 then 'overlapping'
        else 'different'
    end as company_level,
    case
        when title_similarity >= 0.999 then 'same'
        when title_same_words then 'reordered'
        when title_similarity >= 0.85 then 'close'
        when greatest(title_similarity, title_overlap) >= 0.6 then 'similar'
        else 'different'
    end as title_level,
    case
        when text_missing then 'missing'
        when greatest(opening_similarity, text_similarity) >= 0.95 then 'same'
        when greatest(opening_similarity, text_similarity) >= 0.8 then 'close'
        when greatest(opening_similarity, text_similarity) >= 0.5 then 'similar'
        else 'different'
    end as text_level,
    case when salary_agrees is null then 'unknown' when salary_agrees then 'agree' else 'disagree' end as salary_level,
    case when post_date_gap_days <= 1 then 'same_day' when post_date_gap_days <= 7 then 'same_week' else 'later' end
        as posted_level,
    case when jobspikr_flagged then 'flagged' else 'unflagged' end as flag_level
{%- endmacro %}

{% macro match_score(weights) -%}
    ({% for comparison in ['company', 'title', 'text', 'salary', 'posted', 'flag'] -%}
     coalesce(({{ weights }} ->> ('{{ comparison }}:' || {{ comparison }}_level))::float, 0){{ ' + ' if not loop.last }}
     {%- endfor %})
{%- endmacro %}

{% macro dedup_threshold(kind) -%}
    (select weight from {{ ref('dedup_match_weights') }} where comparison = 'threshold' and level = '{{ kind }}')
{%- endmacro %}
