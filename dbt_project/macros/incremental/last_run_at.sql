{#-
  last_run_at(column): in an incremental run, the newest `column` in {{ this }} (when the
  model last ran) as a timestamptz literal; '-infinity' otherwise. A literal, read before
  the run, rather than `(select max(...) from this)`: Postgres then estimates from its
  statistics how few rows are newer and picks index lookups, where a subquery left it
  guessing a third of the table and sorting all of it. (In a dbt unit test `this` is a
  fixture CTE that cannot be queried first, so there the subquery is used.)
-#}
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
