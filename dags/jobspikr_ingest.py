"""
### jobspikr_ingest

Daily: JobsPikr `POST /v2/data` -> `raw.jobspikr_jobs` -> dbt (`staging`, `marts`).

- **migrate_raw_schema** applies the raw schema's versioned migrations (no-op when current).
- **extract_load** fetches the run's post-date days (plus look-back) through the JobsPikr
  hook, each day from its stored watermark, and `COPY`s them into raw. Summary: XCom and
  `raw.jobspikr_load_log`.
- **dbt_build** runs and tests the dbt models.

Connections: `jobspikr_default` (API), `warehouse_default` (Postgres). Params: `filters`
(JobsPikr filters over `config/jobspikr_filters.json`, see the README), `backfill_days`,
`lookback_days`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import CronDataIntervalTimetable, Param, dag, task

WAREHOUSE_CONN_ID = "warehouse_default"
JOBSPIKR_CONN_ID = "jobspikr_default"


@dag(
    dag_id="jobspikr_ingest",
    schedule=CronDataIntervalTimetable("0 3 * * *", timezone="UTC"),
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["jobspikr", "ingest", "dbt"],
    default_args={
        "owner": "data-platform",
        "retries": 1,
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": True,
    },
    params={
        "filters": Param({}, type="object", description="JobsPikr filters (README: Filters)"),
        "backfill_days": Param(30, type="integer", minimum=0,
                               description="The first load fetches this many days before the interval"),
        "lookback_days": Param(3, type="integer", minimum=0,
                               description="Days before the interval re-checked for late records"),
    },
)
def jobspikr_ingest() -> None:
    @task
    def migrate_raw_schema() -> list[str]:
        from jobspikr_pipeline.migrations import apply_migrations
        from jobspikr_pipeline.warehouse import warehouse_connection

        with warehouse_connection(WAREHOUSE_CONN_ID) as conn:
            return apply_migrations(conn)

    @task
    def extract_load(params: dict[str, Any] | None = None, data_interval_start: Any = None,
                     data_interval_end: Any = None, run_id: str | None = None) -> dict[str, Any]:
        # Heavy imports inside the task: DAG parsing stays fast.
        from jobspikr.hook import JobsPikrHook
        from jobspikr_pipeline.extract import ExtractWindow, extract_and_load
        from jobspikr_pipeline.filters import load_query
        from jobspikr_pipeline.warehouse import warehouse_connection

        assert params is not None and data_interval_start and data_interval_end
        query = load_query(params["filters"])
        hook = JobsPikrHook(JOBSPIKR_CONN_ID)
        start, end = data_interval_start.date(), data_interval_end.date()
        window = ExtractWindow(interval_start=start, interval_end=end,
                               backfill_start=start - timedelta(days=params["backfill_days"]),
                               lookback_days=params["lookback_days"])
        with warehouse_connection(WAREHOUSE_CONN_ID) as conn:
            return extract_and_load(hook, conn, query, window, airflow_run_id=run_id)

    @task
    def dbt_build() -> None:
        from jobspikr_pipeline.dbt import run_dbt

        run_dbt(["build"], conn_id=WAREHOUSE_CONN_ID)

    migrate_raw_schema() >> extract_load() >> dbt_build()


jobspikr_ingest()
