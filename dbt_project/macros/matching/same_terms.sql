{#- Documented in _matching__macros.yml. -#}
{% macro same_terms(a, b) -%}
    {%- set companies = "concat_ws(' ', " ~ a ~ ".company_norm, " ~ b ~ ".company_norm)" -%}
    ({{ title_levels(a ~ '.title_norm', companies) }} = {{ title_levels(b ~ '.title_norm', companies) }}
     and ({{ a }}.job_type is null or {{ b }}.job_type is null
          or {{ job_types(a ~ '.job_type') }} && {{ job_types(b ~ '.job_type') }})
     and {{ salary_agrees(a, b) }} is not false)
{%- endmacro %}

{% macro title_levels(title, company_words) -%}
    array(select distinct word from unnest(string_to_array({{ title }}, ' ')) as word
          where word = any(string_to_array('{{ var("dedup_level_words") | join(" ") }}', ' '))
            and word <> all(string_to_array({{ company_words }}, ' ')) order by word)
{%- endmacro %}

{% macro job_types(job_type) -%}
    regexp_split_to_array(regexp_replace(lower({{ job_type }}), '[^a-z0-9,/|]+', '', 'g'), '[,/|]+')
{%- endmacro %}

{% macro salary_agrees(a, b) -%}
    case when {{ a }}.salary_min is null or {{ b }}.salary_min is null then null
         else abs({{ annual_salary(a ~ '.salary_min', a ~ '.salary_period') }}
                  - {{ annual_salary(b ~ '.salary_min', b ~ '.salary_period') }})
              <= {{ var('dedup_salary_tolerance') }}
                 * greatest({{ annual_salary(a ~ '.salary_min', a ~ '.salary_period') }},
                            {{ annual_salary(b ~ '.salary_min', b ~ '.salary_period') }}) end
{%- endmacro %}
