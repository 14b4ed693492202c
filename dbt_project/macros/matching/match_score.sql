{#- Documented in _matching__macros.yml. -#}
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
        when title_same_role then 'same_role'
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
