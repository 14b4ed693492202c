{#
  refresh_planner_statistics(columns): a post-hook that re-analyzes the columns of {{ this }}
  that the next models filter and join on (the run timestamp, the keys).
  Why: an incremental run changes about 1% of a table, far below autovacuum's analyze
  threshold (10%), so without it the next model plans its `> last_run_at(...)` filter with
  statistics older than the rows it looks for, expects most of the table and hash-joins
  whole tables where an index lookup of the new rows would do. Only the named columns
  are sampled: cheap, and the free-text columns are never read for it.
#}
{% macro refresh_planner_statistics(columns) -%}
    analyze {{ this }} ({{ columns | join(', ') }})
{%- endmacro %}
