-- The cutover's marts were once named migration_*. The per-run history dbt appends to
-- (incremental, never rebuilt) keeps its rows under its new name: renamed here, before any
-- dbt run, because dbt reads which tables exist when it starts. The one step of this DDL
-- that reaches outside raw; the marts rebuilt every run lose their old copies in dbt
-- (macros/cutover/carry_renamed_marts.sql).
do $$
begin
    if to_regclass('marts.migration_run_metrics') is not null
       and to_regclass('marts.cutover_run_metrics') is null then
        alter table marts.migration_run_metrics rename to cutover_run_metrics;
    end if;
end
$$;
