"""``./pipeline run``: the whole pipeline end to end on this machine.

1. Airflow home in ``.local/airflow`` with a SQLite metadata DB (migrated if needed).
2. Warehouse: ``AIRFLOW_CONN_WAREHOUSE_DEFAULT`` if the user set it, else the embedded
   Postgres in ``.local/pgdata`` (stopped again at the end).
3. API: ``AIRFLOW_CONN_JOBSPIKR_DEFAULT`` if the user set it (a real JobsPikr account),
   else the stand-in server on a free localhost port.
   With the stand-in, the legacy scraper's table gets a demo scrape too (jobs both systems
   saw, with the scraper's messier text, and jobs only it has), so the run compares both.
4. One run of the ``jobspikr_ingest`` DAG (``dag.test()``), then a summary.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from local_stack.airflow_env import (
    LOCAL_DIR,
    PROJECT_ROOT,
    configure_airflow_env,
    metadata_db_migrating,
    openlineage_events_path,
    run_dag_in_process,
)
from local_stack.embedded_warehouse import configured_or_embedded_warehouse
from local_stack.preflight import check_api, check_warehouse

if TYPE_CHECKING:
    import psycopg

    from jobspikr_pipeline.dbt_test_results import TestResult

RUN_LOG = LOCAL_DIR / "logs" / "last_run.log"
LOAD_LOG_HINT = "  load log:   SELECT * FROM raw.jobspikr_load_log ORDER BY load_id DESC;\n"


def run_pipeline(*, records: int = 5_000, seed: int = 42, since: date | None = None,
                 real_quirks: bool = False) -> int:
    """The whole pipeline once; the exit code (0: the run succeeded)."""
    started = time.monotonic()
    configure_airflow_env()
    with ExitStack() as stack:
        with metadata_db_migrating():
            warehouse = configured_or_embedded_warehouse(stack)
            check_warehouse()
            api = _api(stack, records=records, seed=seed, real_quirks=real_quirks)
            check_api()
        print(f"Running jobspikr_ingest (full Airflow log: {RUN_LOG.relative_to(PROJECT_ROOT)})...",
              flush=True)
        with _output_to(RUN_LOG) as terminal, _alerts_to(terminal, started) as alerts, _progress_to(terminal):
            state, run_id = _run_dag({"since": since.isoformat()} if since else {})
        summary = _summary(run_id)
        summary["tasks"] = task_times(run_id)
        summary["dbt_tests"] = dbt_tests_line(run_id)
    elapsed = time.monotonic() - started
    _print_summary(state, run_id, summary, warehouse, api, elapsed, alerts)
    return 0 if state == "success" else 1


def _api(stack: ExitStack, *, records: int, seed: int, real_quirks: bool = False) -> str:
    if os.environ.get("AIRFLOW_CONN_JOBSPIKR_DEFAULT"):
        return "the JobsPikr API in AIRFLOW_CONN_JOBSPIKR_DEFAULT"
    from standin_api import Catalogue, StandinConfig, StandinServer

    # Yesterday as the newest crawl day keeps every record inside the run's data interval.
    catalogue = Catalogue(seed=seed, size=records, anchor=date.today() - timedelta(days=1), real_quirks=real_quirks)
    server = stack.enter_context(StandinServer(StandinConfig(catalogue=catalogue)))
    _write_legacy_demo_scrape(catalogue, size=records // 3)
    # The stand-in has no rate limit of its own; the real API's default pace is 60/min.
    os.environ["AIRFLOW_CONN_JOBSPIKR_DEFAULT"] = server.account.connection_json(server.url, requests_per_minute=3000)
    quirks = ", the real API's quirks" if real_quirks else ""
    return f"stand-in JobsPikr API at {server.url} ({records} records, seed {seed}{quirks})"


def _write_legacy_demo_scrape(catalogue: object, size: int) -> None:
    """Fill ``raw.legacy_scraped_jobs`` as the old scraper would (ids already there are kept)."""
    from jobspikr_pipeline.raw_schema import apply_raw_schema
    from jobspikr_pipeline.warehouse import warehouse_connection
    from standin_api.legacy import LegacyScrape, write_legacy_rows

    with warehouse_connection() as conn:
        apply_raw_schema(conn)
        with conn.transaction():
            write_legacy_rows(conn, LegacyScrape(catalogue, size=size).rows())  # type: ignore[arg-type]


@contextmanager
def _output_to(path: Path) -> Iterator[TextIO]:
    """Send this process's stdout/stderr (file descriptors, so Airflow's loggers too) to
    ``path``; yield the terminal, for what must reach the user at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with path.open("w") as log_file:
        os.dup2(log_file.fileno(), 1)
        os.dup2(log_file.fileno(), 2)
        terminal = os.fdopen(os.dup(saved[0]), "w", buffering=1)
        try:
            yield terminal
        finally:
            terminal.close()
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


@contextmanager
def _alerts_to(terminal: TextIO, started: float) -> Iterator[list[str]]:
    """An alert (a failed task, a load with gaps, a load that fetched nothing) reaches the
    terminal the moment it is raised, not after the run's last task: a bad credential is
    reported in seconds. The alerts are also yielded, for the summary to repeat."""
    raised: list[str] = []

    class ToTerminal(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            raised.append(record.getMessage())
            seconds = f"after {time.monotonic() - started:.0f}s"
            if record.levelno >= logging.ERROR:
                terminal.write(f"FAILED {seconds}: {record.getMessage()}\n"
                               "  (the run finishes the tasks that still run, then prints its summary)\n")
            else:
                terminal.write(f"WARNING {seconds}: {record.getMessage()}\n")

    handler = ToTerminal(level=logging.WARNING)
    alerts = logging.getLogger("jobspikr.alerts")
    alerts.addHandler(handler)
    try:
        yield raised
    finally:
        alerts.removeHandler(handler)


@contextmanager
def _progress_to(terminal: TextIO) -> Iterator[None]:
    """The load's progress (``jobspikr.progress``) on the terminal while it goes: a live bar
    of days, records, rows/s and credits on a terminal, one line per batch otherwise; while
    a request waits to be retried, that it is WAITING, why and until when."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=terminal)
    bar = Progress(TextColumn("extract"), BarColumn(), MofNCompleteColumn(), TextColumn("days"),
                   TextColumn("{task.fields[figures]}"), TimeElapsedColumn(), console=console,
                   disable=not console.is_terminal)
    task = bar.add_task("extract", total=None, figures="", visible=False)

    class ToTerminal(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            waiting = getattr(record, "waiting", None)
            if waiting:
                text = f"WAITING until {waiting['until']:%H:%M:%S} UTC: {waiting['host']} {waiting['why']}"
                if bar.disable:
                    terminal.write(f"  extract: {text}\n")
                else:
                    bar.update(task, figures=text, visible=True)
            figures = getattr(record, "progress", None)
            if not figures:
                return
            text = (f"{figures['records']:,} records, {figures['pages']:,} pages, "
                    f"{figures['rows_per_second']:,.0f} rows/s, credits left {figures['credits_remaining']}")
            if bar.disable:
                terminal.write(f"  extract: window {figures['window']}, {figures['days_done']} of "
                               f"{figures['days']} days, {text}\n")
            else:
                bar.update(task, total=figures["days"], completed=figures["days_done"], figures=text, visible=True)

    handler = ToTerminal(level=logging.INFO)
    progress = logging.getLogger("jobspikr.progress")
    progress.addHandler(handler)
    try:
        with bar:
            yield
    finally:
        progress.removeHandler(handler)


def _run_dag(conf: dict[str, object]) -> tuple[str, str]:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag()
    if bag.import_errors:
        raise SystemExit(f"DAG import errors: {bag.import_errors}")
    dag_run = run_dag_in_process(bag.get_dag("jobspikr_ingest"), run_conf=conf)
    return str(dag_run.state), dag_run.run_id


def _summary(run_id: str) -> dict[str, object]:
    from jobspikr_pipeline.cutover.report import load_report, summary_text
    from jobspikr_pipeline.warehouse import warehouse_connection

    with warehouse_connection() as conn:
        log_row = conn.execute(
            "select coalesce(sum(records_received), 0), coalesce(sum(inserted), 0),"
            " coalesce(sum(duplicates_skipped), 0), coalesce(sum(pages), 0),"
            " coalesce(sum(windows_checked), 0), coalesce(sum(windows_short), 0)"
            " from raw.jobspikr_load_log where airflow_run_id = %s", (run_id,)).fetchone()
        raw_rows = conn.execute("select count(*) from raw.jobspikr_jobs").fetchone()[0]
        has_mart = conn.execute("select to_regclass('marts.job_listings') is not null").fetchone()[0]
        mart_rows, mart_records = (0, 0)
        if has_mart:
            mart_rows, mart_records = conn.execute(
                "select count(*), coalesce(sum(record_count), 0) from marts.job_listings").fetchone()
        quarantined = conn.execute(
            "select count(*) from quarantine.job_records_quarantine").fetchone()[0] if has_mart else 0
        legacy_rows = conn.execute("select count(*) from raw.legacy_scraped_jobs").fetchone()[0]
        fields = _new_fields_text(conn, run_id)
        field_issues = field_issues_line(conn) if has_mart else "no marts yet"
        cutover = summary_text(load_report(conn)) if has_mart else "Cutover summary: no marts yet."
    fetched, inserted, skipped, pages, checked, short = log_row
    completeness = (f"{checked} post-date day(s) checked against JobsPikr's total_count: "
                    + (f"{short} SHORT (raw.jobspikr_load_windows has the counts)" if short else "all complete"))
    return {"completeness": completeness, "pages": pages, "fetched": fetched, "inserted": inserted, "skipped": skipped,
            "raw_rows": raw_rows, "mart_rows": mart_rows, "mart_records": mart_records,
            "quarantined": quarantined, "legacy_rows": legacy_rows, "cutover": cutover, "fields": fields,
            "field_issues": field_issues}


def field_issues_line(conn: psycopg.Connection) -> str:
    """The fields the parses nulled, counted per rule (a bad value is its record's problem:
    the run goes on, and marts.job_record_field_issues lists each one)."""
    counts = conn.execute(
        "select rule, count(*) from marts.job_record_field_issues group by rule order by count(*) desc, rule"
    ).fetchall()
    if not counts:
        return "none"
    listed = ", ".join(f"{count} {rule}" for rule, count in counts)
    return f"{listed} (each in marts.job_record_field_issues)"


def _new_fields_text(conn: psycopg.Connection, run_id: str) -> str:
    """The fields JobsPikr's records carried for the first time in this run's loads (schema
    drift the day it happens), or how many fields are known when there is none."""
    from jobspikr_pipeline.load_ledger import new_fields

    loads = [row[0] for row in conn.execute(
        "select load_id from raw.jobspikr_load_log where airflow_run_id = %s order by load_id", (run_id,))]
    found = [field.describe() for load_id in loads for field in new_fields(conn, load_id)]
    if found:
        return ", ".join(found)
    known = conn.execute("select count(*) from raw.jobspikr_fields_seen").fetchone()[0]
    return f"none ({known} known, in raw.jobspikr_fields_seen)"


def task_times(run_id: str) -> str:
    """Where the run's time went, per task, longest first: the dbt group's node tasks (which
    report from the one build) are summed into one entry."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from cosmos.constants import PRODUCER_WATCHER_TASK_ID
    from sqlalchemy import select

    with create_session() as session:
        rows = session.execute(select(TaskInstance.task_id, TaskInstance.duration).where(
            TaskInstance.dag_id == "jobspikr_ingest", TaskInstance.run_id == run_id)).all()
    times: dict[str, float] = {}
    nodes = 0
    for task_id, duration in rows:
        name = task_id
        if task_id.startswith("dbt.") and task_id != f"dbt.{PRODUCER_WATCHER_TASK_ID}":
            name, nodes = "dbt node tasks", nodes + 1
        times[name] = times.get(name, 0.0) + (duration or 0.0)
    return ", ".join(f"{name}{f' ({nodes})' if name == 'dbt node tasks' else ''} {seconds:.1f}s"
                     for name, seconds in sorted(times.items(), key=lambda item: -item[1]))


def dbt_test_results_of_run(run_id: str) -> list[TestResult] | None:
    """The failing and warning tests the run's dbt build reported (its producer task's XCom,
    ``jobspikr_pipeline.dbt_test_results``); None when the build reported nothing (it did
    not run, or stopped before dbt wrote its results)."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from cosmos.constants import PRODUCER_WATCHER_TASK_ID

    from jobspikr_pipeline.dbt_test_results import XCOM_KEY, TestResult

    with create_session() as session:
        rows = session.scalars(XComModel.get_many(
            run_id=run_id, key=XCOM_KEY, dag_ids="jobspikr_ingest",
            task_ids=f"dbt.{PRODUCER_WATCHER_TASK_ID}")).all()
        records = XComModel.deserialize_value(rows[0]) if rows else None
    return None if records is None else [TestResult.from_record(r) for r in records]


def dbt_tests_line(run_id: str) -> str:
    """The summary's ``dbt tests:`` entry: each failing test with its rows and query, then the
    warnings with theirs, one per line."""
    from jobspikr_pipeline.dbt_test_results import summary_lines

    results = dbt_test_results_of_run(run_id)
    if results is None:
        return "no results (the dbt build did not run or did not finish)"
    return "\n              ".join(summary_lines(results))


def _print_summary(state: str, run_id: str, summary: dict[str, object], warehouse: str, api: str,
                   elapsed: float, alerts: list[str]) -> None:
    from jobspikr_pipeline.cutover.dashboard import dashboard_path

    raised = "".join(f"  alert:      {message}\n" for message in alerts)
    print(f"""
jobspikr_ingest run {run_id}: {state.upper()}   (full Airflow log: {RUN_LOG.relative_to(PROJECT_ROOT)})
  API:        {api}
  warehouse:  {warehouse}
  fetched:    {summary['fetched']} records in {summary['pages']} pages
  complete:   {summary['completeness']}
  loaded:     {summary['inserted']} new raw rows ({summary['skipped']} already present, skipped)
  new fields: {summary['fields']}
  raw total:  {summary['raw_rows']} rows in raw.jobspikr_jobs, {summary['legacy_rows']} in raw.legacy_scraped_jobs
  mart:       {summary['mart_rows']} distinct jobs in marts.job_listings, from {summary['mart_records']} records
  quarantine: {summary['quarantined']} records in quarantine.job_records_quarantine (with the rule they failed)
  nulled:     {summary['field_issues']}
  dbt tests:  {summary['dbt_tests']}
  time:       {elapsed:.1f}s
  per task:   {summary['tasks']}
{raised}
{summary['cutover']}

Look further:
  dashboard:  {dashboard_path()}   (the cutover dashboard, rewritten every run)
  Airflow UI: AIRFLOW_HOME=.local/airflow .venv/bin/airflow standalone   (http://localhost:8080)
  dbt docs:   ./pipeline docs   (lineage site at http://localhost:8081)
  lineage:    {openlineage_events_path(Path(os.environ["AIRFLOW_HOME"]))}   (OpenLineage events, one per line)
""" + LOAD_LOG_HINT)

