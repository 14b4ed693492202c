{#-
  grant_bi_read_access(role): the BI role can read every table in `marts` and nothing else.
  The role is created NOLOGIN when missing (BI users are made members of it). `marts` is
  rebuilt each run, so the grants are re-applied at the end of every dbt invocation; before
  the first build (e.g. `dbt source freshness` on a new warehouse) there is nothing to grant.
-#}
{% macro grant_bi_read_access(role) %}
    {% set sql %}
        do $$
        begin
            if not exists (select 1 from pg_roles where rolname = '{{ role }}') then
                create role {{ adapter.quote(role) }} nologin;
            end if;
            if exists (select 1 from pg_namespace where nspname = 'marts') then
                execute 'grant usage on schema marts to {{ adapter.quote(role) }}';
                execute 'grant select on all tables in schema marts to {{ adapter.quote(role) }}';
            end if;
        end
        $$;
    {% endset %}
    {% if execute %}{% do run_query(sql) %}{% endif %}
{% endmacro %}
