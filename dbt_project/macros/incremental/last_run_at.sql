{#- Documented in _incremental__macros.yml. -#}
{% macro last_run_at(column) -%}
    {%- if not (execute and is_incremental()) -%}
        '-infinity'::timestamptz
    {%- elif (this | string).startswith('__dbt__cte__') -%}
        (select coalesce(max({{ column }}), '-infinity') from {{ this }})
    {%- else -%}
        {%- set newest = run_query("select coalesce(max(" ~ column ~ "), '-infinity')::text from " ~ this) -%}
        '{{ newest.columns[0].values()[0] }}'::timestamptz
    {%- endif -%}
{%- endmacro %}
