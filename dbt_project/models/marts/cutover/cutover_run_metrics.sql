{{
    config(
        materialized='incremental',
        unique_key=['invocation_id', 'source', 'metric'],
        indexes=[{'columns': ['metric', 'source', 'run_at']}],
    )
}}
-- The cutover's comparison metrics over all data, appended on every dbt run: the
-- history of how JobsPikr compared with the legacy scraper through the transition. The DAG
-- logs the newest run's rows as its cutover summary and checks them against the
-- thresholds in dbt_project.yml (`cutover_thresholds`).
select
    '{{ invocation_id }}'::text             as invocation_id,
    current_timestamp                       as run_at,
    source,
    metric,
    value
from ({{ cutover_metrics(by_day=false) }}) as totals
