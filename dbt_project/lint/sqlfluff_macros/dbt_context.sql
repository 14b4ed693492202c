{#- What sqlfluff's jinja templater needs beyond its dbt builtins (../../.sqlfluff): dbt's
    var() with the project's values (sqlfluff's returns a placeholder string, which cannot be
    iterated), and the names dbt puts in a model's context. Never read by dbt. -#}
{% macro var(name, default=none) %}{{ return(project_vars.VARS.get(name, default)) }}{% endmacro %}
{% macro run_query(sql) %}{{ return(none) }}{% endmacro %}
