{#- Documented in _listings__macros.yml. -#}
{% macro legacy_compatible_id(job_listing_id) -%}
    ('x' || left({{ job_listing_id }}, 15))::bit(60)::bigint
{%- endmacro %}
