{#- Documented in _normalise__macros.yml. -#}
{% macro job_fingerprint(title, company, city, state, country) -%}
    md5(concat_ws('|', {{ title }}, {{ company }}, coalesce({{ city }}, ''), coalesce({{ state }}, ''),
                  coalesce({{ country }}, '')))
{%- endmacro %}
