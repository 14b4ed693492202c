{#- Documented in _incremental__macros.yml. -#}
{% macro refresh_planner_statistics(columns) -%}
    analyze {{ this }} ({{ columns | join(', ') }})
{%- endmacro %}
