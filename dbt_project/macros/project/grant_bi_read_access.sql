{#- Documented in _project__macros.yml. -#}
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
