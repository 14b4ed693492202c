{#- Documented in _matching__macros.yml. -#}
{% macro word_set(expr) -%}
    array(select distinct word from unnest(string_to_array({{ expr }}, ' ')) as word order by word)
{%- endmacro %}

{% macro title_filler_words() -%}
    array['a', 'an', 'and', 'at', 'by', 'for', 'from', 'in', 'of', 'on', 'the', 'to', 'with']
{%- endmacro %}

{% macro title_level_words() -%}
    array['intern', 'internship', 'coop', 'summer', 'fall', 'winter', 'spring', 'trainee', 'apprentice', 'graduate',
          'entry', 'junior', 'associate', 'mid',
          'senior', 'lead', 'staff', 'principal', 'distinguished', 'head', 'chief', 'director', 'manager',
          'supervisor', 'vp', 'i', 'ii', 'iii', 'iv', 'v', '1', '2', '3', '4', '5',
          'clearance', 'cleared', 'secret', 'polygraph', 'night', 'overnight', 'weekend', 'evening', 'shift']
{%- endmacro %}

{% macro title_role_words(title_words, explained_words) -%}
    coalesce(nullif(array(select word from unnest({{ title_words }}) as word
                          where word <> all({{ explained_words }}) and word <> all({{ title_filler_words() }})
                          order by word), '{}'), {{ title_words }})
{%- endmacro %}

{% macro title_extends(short_words, long_words) -%}
    (cardinality({{ short_words }}) >= 2
     and not exists (select from unnest({{ short_words }}) as word
                     where not ({{ _word_begins('word', long_words) }}))
     and not exists (select from unnest({{ long_words }}) as extra
                     where extra = any({{ title_level_words() }})
                       and not exists (select from unnest({{ short_words }}) as word
                                       where extra = word or (length(word) >= 3 and extra like word || '%'))))
{%- endmacro %}

{% macro _word_begins(word, words) -%}
    ({{ word }} = any({{ words }})
     or (length({{ word }}) >= 3 and exists (select from unnest({{ words }}) as other where other like {{ word }} || '%')))
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
        when title_similarity >= 0.999 or title_role_a = title_role_b then 'same'
        when {{ same_words_but_typos('title_role_a', 'title_role_b') }} then 'misspelled'
        when {{ title_extends('title_role_a', 'title_role_b') }} or {{ title_extends('title_role_b', 'title_role_a') }}
            then 'extended'
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
    case when jobspikr_flagged then 'flagged' else 'unflagged' end as flag_level,
    case
        when employment_type_a is null or employment_type_b is null then 'unknown'
        when employment_type_a = employment_type_b then 'agree'
        else 'disagree'
    end as employment_level
{%- endmacro %}

{% macro match_score(weights) -%}
    ({% for comparison in ['company', 'title', 'text', 'salary', 'posted', 'flag', 'employment'] -%}
     coalesce(({{ weights }} ->> ('{{ comparison }}:' || {{ comparison }}_level))::float, 0){{ ' + ' if not loop.last }}
     {%- endfor %})
{%- endmacro %}

{% macro dedup_threshold(kind) -%}
    (select weight from {{ ref('dedup_match_weights') }} where comparison = 'threshold' and level = '{{ kind }}')
{%- endmacro %}
