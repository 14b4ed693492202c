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
    title_level    same / reordered (the same words in another order) / misspelled (the same
                   words, some mistyped: same_words_but_typos) / close (trigram similarity
                   >= 0.85, neither's words all in the other's: "data scientist ii" is not
                   close to "data scientist", a qualifier makes another job) / similar
                   (trigram or word overlap >= 0.6) / different
    text_level     same (opening or whole-text similarity >= 0.95) / close (>= 0.8) /
                   similar (>= 0.5) / different / missing (a text under 40 characters)
    salary_level   agree (within dedup_salary_tolerance) / disagree / unknown
    posted_level   same_day (<= 1 day apart) / same_week (<= 7) / later
    flag_level     flagged (JobsPikr says one duplicates the other) / unflagged

  same_words_but_typos(a_words, b_words): two word sets (word_set) of one size whose every word
    of the first is in the second, or is one typo away from one of its words: one letter
    added, dropped or changed, or two letters swapped, in a word of five letters or more
    (so "scinetist" is "scientist", while "senior" and "junior", "i" and "ii" stay apart).

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

{% macro same_words_but_typos(a_words, b_words) -%}
    (cardinality({{ a_words }}) = cardinality({{ b_words }})
     and not exists (select from unnest({{ a_words }}) as a_word
                     where not exists (select from unnest({{ b_words }}) as b_word
                                       where b_word = a_word or {{ one_typo_apart('a_word', 'b_word') }})))
{%- endmacro %}

{% macro one_typo_apart(a, b) -%}
    (least(length({{ a }}), length({{ b }})) >= 5
     and (levenshtein({{ a }}, {{ b }}) = 1
          or (levenshtein({{ a }}, {{ b }}) = 2
              and array(select letter from unnest(string_to_array({{ a }}, null)) as letter order by letter)
                  = array(select letter from unnest(string_to_array({{ b }}, null)) as letter order by letter))))
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
        when {{ same_words_but_typos('title_words_a', 'title_words_b') }} then 'misspelled'
        when title_similarity >= 0.85 and not (title_words_a <@ title_words_b or title_words_b <@ title_words_a)
            then 'close'
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
