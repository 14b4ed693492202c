{#-
  grant_bi_read_access(role): the BI role can read every table in `marts` and nothing else.
  The role is created NOLOGIN when missing (BI users are made members of it); `marts` is
  rebuilt each run, so the grants are re-applied at the end of every run.
-#}
{% macro grant_bi_read_access(role) %}
    {% set sql %}
        do $$
        begin
            if not exists (select 1 from pg_roles where rolname = '{{ role }}') then
                create role {{ role }} nologin;
            end if;
        end
        $$;
        revoke all on schema raw from {{ role }};
        grant usage on schema marts to {{ role }};
        grant select on all tables in schema marts to {{ role }};
    {% endset %}
    {% if execute %}{% do run_query(sql) %}{% endif %}
{% endmacro %}
