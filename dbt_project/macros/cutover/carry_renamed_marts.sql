{#- The cutover's marts were once named migration_*: the stale copies of the marts rebuilt
    every run go, so BI tools stop reading them. (The per-run history was renamed in place
    before this run by the raw schema's 0010_cutover_history_renamed.sql, and is never
    dropped here.) A no-op on any warehouse built since. -#}
{% macro carry_renamed_marts() %}
drop table if exists marts.migration_daily_metrics, marts.migration_threshold_checks
{% endmacro %}
