-- The newest run's metrics against the acceptance thresholds (`cutover_thresholds` in
-- dbt_project.yml): one row per check, `passed` false when JobsPikr falls short. The dbt
-- test on `passed` warns; the DAG's cutover summary lists the checks. A check with no
-- value fails, unless there is nothing to compare with (the legacy scraper found no jobs,
-- or measured no such field): a source that delivers nothing valid must not pass.
{% set thresholds = var('cutover_thresholds') %}
with

latest as (

    -- the newest run's metrics (written by an earlier dbt invocation when Airflow runs
    -- each model as its own task)
    select source, metric, value
    from {{ ref('cutover_run_metrics') }}
    where run_at = (select max(newest.run_at) from {{ ref('cutover_run_metrics') }} as newest)

),

jobspikr as (select metric, value from latest where source = 'jobspikr'),

legacy as (select metric, value from latest where source = 'legacy'),

checks as (

    select
        'jobspikr_coverage_of_legacy_pct'::text                   as check_name,
        (select value from jobspikr where metric = 'coverage_pct') as "value",
        {{ thresholds.min_jobspikr_coverage_pct }}::numeric        as threshold,
        'at least'::text                                           as "rule",
        coalesce((select value from legacy where metric = 'unique_jobs'), 0) = 0
                                                                   as nothing_to_compare
    union all
    select
        'jobspikr_quarantine_rate_pct',
        (select value from jobspikr where metric = 'quarantine_rate_pct'),
        {{ thresholds.max_jobspikr_quarantine_rate_pct }},
        'at most',
        false
    union all
    select
        replace(legacy.metric, '_pct', '_drop_points'),
        legacy.value - jobspikr.value,
        {{ thresholds.max_completeness_drop_points }},
        'at most',
        legacy.value is null
    from legacy left join jobspikr using (metric)
    where legacy.metric like 'completeness\_%'

)

select
    check_name,
    round(value, 2)                                               as "value",
    threshold,
    rule,
    case when value is null then nothing_to_compare
         when rule = 'at least' then value >= threshold
         else value <= threshold end                              as passed,
    current_timestamp                                             as checked_at
from checks
