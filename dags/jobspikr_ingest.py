"""
### jobspikr_ingest

Daily: JobsPikr `POST /v2/data` -> `raw.jobspikr_jobs` (and the expired jobs API ->
`raw.jobspikr_expirations`) -> dbt (`staging`, `marts`). Each task in a line; how a run
works in full: `docs/how-a-run-works.md`.

- **migrate_raw_schema**: applies the raw schema's versioned migrations (no-op when current).
- **extract_load**: fetches the run's post-date days from their watermarks into raw; checks each day's `total_count`.
- **fetch_expirations**: upserts the jobs JobsPikr's expired jobs API reports into `raw.jobspikr_expirations`.
- **check_jobspikr_freshness**: `dbt source freshness`, even when the extract failed.
- **archive_stale_listings**: moves expired and long-unseen listings to `raw.jobspikr_jobs_archive`.
- **apply_personal_data_retention**: strips contact and free-text fields from old versions,
  snapshots included (`docs/personal-data.md`).
- **dbt**: one `dbt build` (Cosmos, watcher mode), a task per model, seed and snapshot with its tests.
- **report_cutover**: logs the cutover summary and threshold checks, writes its dashboard (`docs/cutover.md`).

Connections, params and filters: `docs/configuration.md`. Alerts, retries and faults:
`docs/reliability.md`. When something fails: `docs/troubleshooting.md`.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import CronDataIntervalTimetable, Param, TriggerRule, Variable, dag, task
from airflow.sdk.definitions.deadline import AsyncCallback, DeadlineAlert, DeadlineReference

from jobspikr_pipeline.alerts import on_failure_alert
from jobspikr_pipeline.assets import MART_ASSETS, RAW_JOBSPIKR_JOBS
from jobspikr_pipeline.connections import WAREHOUSE_CONN_ID
from jobspikr_pipeline.dbt_graph import dbt_task_group

#: A daily run normally takes minutes; one still going after this raises the late-run alert.
RUN_DEADLINE = timedelta(hours=3)
#: When the daily run starts (cron, UTC). An environment variable, read at parse time: the
#: scheduler needs the schedule before any run, and parsing must not query the database.
SCHEDULE = os.environ.get("JOBSPIKR_INGEST_SCHEDULE", "0 3 * * *")


@dag(
    dag_id="jobspikr_ingest",
    schedule=CronDataIntervalTimetable(SCHEDULE, timezone="UTC"),
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    deadline=DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=RUN_DEADLINE,
        callback=AsyncCallback("jobspikr_pipeline.alerts.on_deadline_missed",
                               kwargs={"deadline": f"{RUN_DEADLINE.total_seconds() / 3600:g} hours"}),
    ),
    tags=["jobspikr", "ingest", "dbt"],
    default_args={
        "owner": "data-platform",
        "retries": 1,
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": True,
        "on_failure_callback": on_failure_alert,
        # Runs may overlap: `max_active_runs` does not bind backfills (a backfill runs up to
        # its own --max-active-runs at once, 10 by default from the CLI), nor a cleared old
        # run. No task may: two extracts would spend one API rate budget twice, two dbt
        # builds collide on the same tables ("relation already exists"). So each task runs
        # one instance at a time across all runs, and overlapping runs queue task by task.
        "max_active_tis_per_dag": 1,
    },
    params={
        "filters": Param({}, type="object", description="JobsPikr filters (docs/configuration.md: DAG params)"),
        "backfill_days": Param(30, type="integer", minimum=0,
                               description="The first load fetches this many days before the interval"),
        "since": Param(os.environ.get("JOBSPIKR_SINCE") or None, type=["null", "string"],
                       description="Fetch post dates from this day (YYYY-MM-DD) on, each from its watermark: "
                                   "a first load's start, or a later reach back (default: $JOBSPIKR_SINCE)"),
        "lookback_days": Param(3, type="integer", minimum=0,
                               description="Days before the interval re-checked for late records"),
        "on_incomplete": Param("fail", enum=["fail", "warn"],
                               description="A window still short of JobsPikr's total_count after a second "
                                           "pass fails the run (fail) or only warns (warn)"),
        "archive_unseen_days": Param(90, type="integer", minimum=1,
                                     description="Archive listings JobsPikr has not sent for this many days"),
        "archive_expired_grace_days": Param(7, type="integer", minimum=0,
                                            description="Archive expired listings after this many days"),
    },
)
def jobspikr_ingest() -> None:
    @task
    def migrate_raw_schema() -> list[str]:
        from jobspikr_pipeline.raw_schema import apply_raw_schema
        from jobspikr_pipeline.warehouse import warehouse_connection

        with warehouse_connection(WAREHOUSE_CONN_ID) as conn:
            return apply_raw_schema(conn)

    @task(outlets=[RAW_JOBSPIKR_JOBS], multiple_outputs=False)
    def extract_load(params: dict[str, Any] | None = None, data_interval_start: Any = None,
                     data_interval_end: Any = None, run_id: str | None = None) -> dict[str, Any]:
        # Heavy imports inside the task: DAG parsing stays fast.
        from airflow.sdk.exceptions import AirflowFailException

        from jobspikr.errors import PERMANENT_ERRORS
        from jobspikr.hook import JobsPikrHook
        from jobspikr.query import parse_day
        from jobspikr_pipeline.extract import extract_and_load
        from jobspikr_pipeline.extract_plan import ExtractWindow
        from jobspikr_pipeline.filters import FILTERS_VARIABLE, load_query
        from jobspikr_pipeline.warehouse import warehouse_connection

        assert params is not None and data_interval_start and data_interval_end
        try:
            query = load_query(params["filters"], Variable.get(FILTERS_VARIABLE, default=None))
            hook = JobsPikrHook()  # its default_conn_name, jobspikr_default
            start, end = data_interval_start.date(), data_interval_end.date()
            window = ExtractWindow.for_run(start, end, backfill_days=params["backfill_days"],
                                           lookback_days=params["lookback_days"],
                                           since=parse_day(params["since"], "since"),
                                           post_date_from=query.post_date_from, post_date_to=query.post_date_to)
            with warehouse_connection(WAREHOUSE_CONN_ID) as conn:
                return extract_and_load(hook, conn, query, window, airflow_run_id=run_id,
                                        on_incomplete=params["on_incomplete"])
        except PERMANENT_ERRORS as exc:
            # A retry of the task minutes later cannot fix these: fail now, with the reason.
            raise AirflowFailException(str(exc)) from exc

    @task(multiple_outputs=False)
    def fetch_expirations(params: dict[str, Any] | None = None, data_interval_start: Any = None,
                          data_interval_end: Any = None) -> dict[str, Any]:
        from airflow.sdk.exceptions import AirflowFailException

        from jobspikr.errors import PERMANENT_ERRORS
        from jobspikr.hook import JobsPikrHook
        from jobspikr_pipeline.expirations_landing import fetch_expirations as fetch
        from jobspikr_pipeline.warehouse import warehouse_connection

        assert params is not None and data_interval_start and data_interval_end
        date_from = data_interval_start.date() - timedelta(days=params["lookback_days"])
        try:
            hook = JobsPikrHook()  # its default_conn_name, jobspikr_default
            with warehouse_connection(WAREHOUSE_CONN_ID) as conn:
                # A missing endpoint is a warning and a summary, inside fetch(), not an error.
                return fetch(hook, conn, date_from, data_interval_end.date())
        except PERMANENT_ERRORS as exc:
            raise AirflowFailException(str(exc)) from exc

    @task
    def archive_stale_listings(params: dict[str, Any] | None = None) -> int:
        from jobspikr_pipeline.archive import archive_stale_listings as archive
        from jobspikr_pipeline.warehouse import warehouse_connection

        assert params is not None
        with warehouse_connection(WAREHOUSE_CONN_ID) as conn:
            return archive(conn, unseen_days=params["archive_unseen_days"],
                           expired_grace_days=params["archive_expired_grace_days"])

    @task(multiple_outputs=False)
    def apply_personal_data_retention() -> dict[str, int]:
        from jobspikr_pipeline.personal_data import PersonalDataPolicy
        from jobspikr_pipeline.personal_data_retention import apply_retention
        from jobspikr_pipeline.warehouse import warehouse_connection

        with warehouse_connection(WAREHOUSE_CONN_ID) as conn:
            return apply_retention(conn, PersonalDataPolicy.configured())

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def check_jobspikr_freshness() -> None:
        from jobspikr_pipeline.dbt import run_dbt

        run_dbt(["source", "freshness", "--select", "source:jobspikr"], conn_id=WAREHOUSE_CONN_ID)

    # Runs once the whole dbt group succeeded: the marts are fresh, hence the outlets.
    @task(outlets=MART_ASSETS, multiple_outputs=False)
    def report_cutover() -> dict[str, Any]:
        import logging

        from jobspikr_pipeline.cutover.dashboard import write_dashboard
        from jobspikr_pipeline.cutover.report import load_report, summary_text
        from jobspikr_pipeline.warehouse import warehouse_connection

        log = logging.getLogger("jobspikr.cutover")
        with warehouse_connection(WAREHOUSE_CONN_ID) as conn:
            report = load_report(conn)
        log.info("%s", summary_text(report))
        for check in report.failed_checks:
            log.warning("JobsPikr below a cutover threshold: %s = %s (%s %s)",
                        check.name, check.value, check.rule, check.threshold)
        path = write_dashboard(report)
        log.info("Cutover dashboard: %s", path)
        return {"dashboard": str(path), "failed_checks": [c.name for c in report.failed_checks]}

    migrated = migrate_raw_schema()
    extracted = migrated >> extract_load()
    expirations = migrated >> fetch_expirations()
    extracted >> check_jobspikr_freshness()
    # dbt waits for both through the archive (one upstream keeps the group's trigger rules
    # simple: when either fails, nothing in the group runs and the marts keep the last build).
    archived = [extracted, expirations] >> archive_stale_listings() >> apply_personal_data_retention()
    dbt_task_group("dbt", conn_id=WAREHOUSE_CONN_ID, after=archived) >> report_cutover()


jobspikr_ingest()
