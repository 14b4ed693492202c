{{
    config(
        materialized='incremental',
        unique_key=['invocation_id', 'source', 'metric'],
        indexes=[{'columns': ['metric', 'source', 'run_at']}],
    )
}}
-- The migration's comparison metrics over all data, appended on every dbt run: the
-- history of how JobsPikr compared with the legacy scraper through the transition. The DAG
-- logs the newest run's rows as its migration summary and checks them against the
-- thresholds in dbt_project.yml (`migration_thresholds`).
select
    '{{ invocation_id }}'::text             as invocation_id,
    current_timestamp                       as run_at,
    source,
    metric,
    value
from ({{ migration_metrics(by_day=false) }}) as totals
