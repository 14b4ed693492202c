{#- Documented in _normalise__macros.yml. -#}
{% macro normalise_job_type(expr) -%}
    nullif(regexp_replace(lower({{ expr }}), '[^a-z]', '', 'g'), '')
{%- endmacro %}
