"""The DAG end to end: stand-in API -> raw -> dbt -> marts, on a real Postgres."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import psycopg
import pytest

from devkit.dag_runs import (
    load_and_build_as_run,
    run_ingest,
    seconds_from_task_end_to_run_end,
    served_ids,
    task_states,
    task_tries,
)
from devkit.lineage import openlineage_emitting
from devkit.suite import jobspikr_conn_json
from jobspikr_pipeline.raw_schema import apply_raw_schema
from local_stack.ports import free_port
from local_stack.run import field_issues_line
from standin_api import StandinServer
from standin_api.faults import Fault, FaultPlan
from standin_api.legacy import write_legacy_rows

pytestmark = pytest.mark.integration

#: Legacy rows with values nobody wrote down: a malformed salary, a placeholder company, a
#: pipe-joined city, a post date no scraper writes (the last is quarantined, with its rule).
MALFORMED_LEGACY_ROWS = [
    {"id": 900 + n, "source_site": "indeed", "external_id": f"x{n}", "url": f"https://www.indeed.com/viewjob?jk=x{n}",
     "title": f"Data Analyst {n}", "company": company, "location": location,
     "description_html": f"<div>Analyse data for team {n}.</div>", "salary_text": salary, "posted_at": posted,
     "scraped_at": datetime(2026, 11, 19, 12, tzinfo=UTC)}
    for n, company, location, salary, posted in (
        (1, "Acme", "Austin, TX", "Pay: $25.00.00 - $30.00.00 per hour", "2 days ago"),
        (2, "Unspecified", "Austin, TX", "$60,000 - $70,000 a year", "2 days ago"),
        (3, "Acme", "Austin|Dallas|Houston, TX", None, "2 days ago"),
        (4, "Acme", "Austin, TX", None, "the day before the launch"))]


def build_lineage(events: Path, warehouse: str) -> dict[str, set[str]]:
    """The tables the dbt build's OpenLineage events (appended to ``events``) name, in this
    test's database."""
    dbname = psycopg.conninfo.conninfo_to_dict(warehouse)["dbname"]
    seen: dict[str, set[str]] = {"inputs": set(), "outputs": set()}
    for line in events.read_text().splitlines():
        event = json.loads(line)
        if event["eventType"] == "COMPLETE" and event["job"]["name"].endswith(".dbt_producer_watcher"):
            for side in seen:
                seen[side] |= {d["name"].removeprefix(f"{dbname}.") for d in event[side]
                               if d["name"].startswith(f"{dbname}.")}
    return seen


@pytest.mark.slow("two DAG runs: the landing and the rerun that adds nothing")
def test_dag_lands_every_record_once_and_rerun_adds_nothing(
        airflow_db: None, warehouse: str, real_quirks_standin: StandinServer, tmp_path, monkeypatch, caplog) -> None:
    """With the real API's quirks: every quirky record lands, reaches the marts, and the
    fields beyond the documented 42 are in the drift table. Malformed values in the legacy
    scraper's rows null their fields, with the rule, and never fail the run."""
    standin = real_quirks_standin
    monkeypatch.setenv("JOBSPIKR_REPORTS_DIR", str(tmp_path))
    with psycopg.connect(warehouse, autocommit=True) as conn:
        apply_raw_schema(conn)
        with conn.transaction():
            write_legacy_rows(conn, MALFORMED_LEGACY_ROWS)
    with openlineage_emitting() as lineage_events:
        assert run_ingest(datetime(2026, 11, 20, 3, tzinfo=UTC)) == "success"
    with psycopg.connect(warehouse) as conn:
        served = {r[0]: r[1:] for r in conn.execute(
            "select r.source_record_id, l.salary_min, l.salary_max, l.company_name, l.city"
            " from marts.job_listing_records r join marts.job_listings l using (job_listing_id)"
            " where r.source = 'legacy'")}
        issues = set(conn.execute(
            "select source_record_id, field, rule from marts.job_record_field_issues where source = 'legacy'"))
        nulled = field_issues_line(conn)
    assert served["901"][:2] == (None, None) and served["902"][2] is None and served["903"][3] == "Austin"
    assert {("901", "salary", "salary_malformed_number"), ("902", "company_name", "placeholder"),
            ("904", "post_date", "post_date_unparseable")} <= issues
    assert "1 salary_malformed_number" in nulled and "placeholder" in nulled
    # the run ends with the cutover summary in the log and the dashboard on disk
    assert "Cutover summary (dbt run at" in caplog.text
    assert 'data-chart="records"' in (tmp_path / "cutover_dashboard.html").read_text()

    expected = served_ids(standin)
    with psycopg.connect(warehouse) as conn:
        raw_ids = [row[0] for row in conn.execute("select uniq_id from raw.jobspikr_jobs")]
        mart_ids = [r[0] for r in conn.execute(
            "select source_record_id from marts.job_listing_records where source = 'jobspikr'")]
        listings = conn.execute("select count(*), sum(record_count) from marts.job_listings").fetchone()
        logged = conn.execute("select status, records_received, inserted from raw.jobspikr_load_log").fetchall()
    assert len(raw_ids) == len(set(raw_ids)) == len(expected)
    assert set(raw_ids) == expected
    assert len(mart_ids) == len(set(mart_ids)) and set(mart_ids) == expected  # every record, once
    assert 0 < listings[0] < len(expected) and listings[1] == len(expected) + 3  # re-posts merged; 3 legacy rows
    assert logged == [("succeeded", len(expected), len(expected))]
    with psycopg.connect(warehouse) as conn:
        rejected = conn.execute("select count(*) from raw.jobspikr_rejects").fetchone()[0]
        undocumented = {r[0] for r in conn.execute("select field from raw.jobspikr_fields_seen where not documented")}
    assert rejected == 0 and {"extra_fields", "inferred_work_mode", "last_expiry_check_date"} <= undocumented
    # dbt ran as Cosmos tasks, one per model, seed, snapshot and its tests, all reported
    dbt_states = {task: state for task, state in task_states(datetime(2026, 11, 20, 3, tzinfo=UTC)).items()
                  if task.startswith("dbt.")}
    assert len(dbt_states) > 40 and set(dbt_states.values()) == {"success"}
    assert {"dbt.stg_jobspikr__jobs.run", "dbt.job_listings.run", "dbt.job_listings.test"} <= dbt_states.keys()
    # and its OpenLineage events trace the build from the raw tables to the marts
    lineage = build_lineage(lineage_events, warehouse)
    assert "raw.jobspikr_jobs" in lineage["inputs"] and "raw.legacy_scraped_jobs" in lineage["inputs"]
    assert {"marts.job_listings", "marts.job_listing_records"} <= lineage["outputs"]
    # the build did not parse the project again: it read what the freshness check, run just
    # before it against the same warehouse, had parsed
    build_output = [r.getMessage() for r in caplog.records if r.name == "cosmos.operators._watcher.base"]
    assert any("Running with dbt=" in line for line in build_output)
    assert not any("Unable to do partial parsing" in line for line in build_output)

    # JobsPikr's Expired Jobs API reports a listing expired: the next run marks its job
    # expired in the marts, with the day, and keeps its history.
    with psycopg.connect(warehouse) as conn:
        job, expiring = conn.execute(
            "select job_listing_id, representative_record_id from marts.job_listings"
            " where record_count = 1 and representative_source = 'jobspikr' and status = 'active'"
            " order by job_listing_id limit 1").fetchone()
    standin.expire(expiring, date(2026, 11, 20))

    requests_before = standin.requests_served
    assert run_ingest(datetime(2026, 11, 21, 3, tzinfo=UTC)) == "success"
    with psycopg.connect(warehouse) as conn:
        assert conn.execute("select status, expired_on from marts.job_listings where job_listing_id = %s",
                            (job,)).fetchone() == ("expired", date(2026, 11, 20))
        history = conn.execute("select status from snapshots.job_listings_snapshot where job_listing_id = %s"
                               " order by dbt_valid_from", (job,)).fetchall()
        assert history == [("active",), ("expired",)]
    with psycopg.connect(warehouse) as conn:
        assert conn.execute("select count(*) from raw.jobspikr_jobs").fetchone()[0] == len(expected)
        second = conn.execute(
            "select status, records_received, inserted from raw.jobspikr_load_log order by load_id desc limit 1"
        ).fetchone()
    assert second == ("succeeded", 0, 0)  # resumed from the watermarks: nothing re-downloaded
    assert standin.requests_served > requests_before


@pytest.mark.slow("two DAG runs, during and after the outage, after a load and a build before it")
def test_api_outage_fails_clearly_keeps_the_marts_and_the_next_run_catches_up(
        airflow_db: None, warehouse: str, standin: StandinServer, monkeypatch, caplog) -> None:
    before_the_outage = datetime(2026, 11, 18, 3, tzinfo=UTC)  # post dates up to Nov 17
    assert load_and_build_as_run(before_the_outage)["status"] == "succeeded"
    with psycopg.connect(warehouse) as conn:
        before = conn.execute("select count(*) from marts.job_listings").fetchone()[0]
    assert 0 < before < len(served_ids(standin))

    standin.faults = FaultPlan(always=Fault("drop"))  # primary down, and no backup configured
    monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT",
                       jobspikr_conn_json(standin, retry_budget_seconds=0.1, backoff_initial=0.01,
                                          backoff_max=0.02))
    outage = datetime(2026, 11, 19, 3, tzinfo=UTC)
    assert run_ingest(outage, airflow_retries=False) == "failed"
    states = task_states(outage)
    assert states["extract_load"] == "failed"
    assert {s for task, s in states.items() if task.startswith("dbt.")} == {"upstream_failed"}
    assert states["check_jobspikr_freshness"] == "success"  # ran despite the failed extract
    alerts = [r.getMessage() for r in caplog.records if r.name == "jobspikr.alerts"]
    assert len(alerts) == 1 and "task 'extract_load'" in alerts[0] and "raw.jobspikr_load_log" in alerts[0]
    with psycopg.connect(warehouse) as conn:
        assert conn.execute("select count(*) from marts.job_listings").fetchone()[0] == before
        status, error = conn.execute(
            "select status, error from raw.jobspikr_load_log order by load_id desc limit 1").fetchone()
    assert status == "failed" and "did not answer usefully in" in error and "retry budget of 0.1s" in error

    standin.faults = FaultPlan()
    assert run_ingest(datetime(2026, 11, 20, 3, tzinfo=UTC)) == "success"
    with psycopg.connect(warehouse) as conn:
        raw = [r[0] for r in conn.execute("select uniq_id from raw.jobspikr_jobs")]
        mart = [r[0] for r in conn.execute("select source_record_id from marts.job_listing_records")]
    assert len(raw) == len(set(raw)) and set(raw) == served_ids(standin)
    assert sorted(mart) == sorted(raw)


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[EmailMessage]]:
    """A real SMTP server (aiosmtpd) on a free port, configured as the alert connection;
    yields the messages it received."""
    from aiosmtpd.controller import Controller

    received: list[EmailMessage] = []

    class Inbox:
        async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:  # noqa: N802
            received.append(message_from_bytes(envelope.content, policy=default_policy))  # type: ignore[arg-type]
            return "250 OK"

    controller = Controller(Inbox(), hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_ALERTS_SMTP", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": controller.port, "extra": {
            "disable_tls": True, "disable_ssl": True, "from_email": "airflow@example.com",
            "to": "data-oncall@example.com, second@example.com"}}))
    try:
        yield received
    finally:
        controller.stop()


def test_a_bad_credential_fails_the_run_at_once_without_task_retries(
        airflow_db: None, warehouse: str, standin: StandinServer, monkeypatch,
        smtp_server: list[EmailMessage]) -> None:
    """A retry cannot fix a 401: the task fails on its first try (the DAG's retries stay on,
    with their 2-minute delay), and the run ends without waiting for one. The failure alert
    reaches the on-call mailbox through the SMTP notifier."""
    conn = json.loads(jobspikr_conn_json(standin))
    monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", json.dumps({**conn, "password": "not-the-key"}))
    run_date = datetime(2026, 11, 20, 3, tzinfo=UTC)
    started = time.monotonic()
    assert run_ingest(run_date) == "failed"
    elapsed = time.monotonic() - started
    tries = task_tries(run_date)
    assert tries["extract_load"] == ("failed", 1)
    assert standin.requests_served <= 2  # one 401 per parallel stream, none retried, no later day asked
    assert elapsed < 100, elapsed  # well under the task retry delay (120 s) it would have waited
    # the run ends within seconds of the failure (the freshness check, a short dbt call,
    # still runs), not a poll per level of the dbt graph later
    assert seconds_from_task_end_to_run_end(run_date, "extract_load") < 20
    with psycopg.connect(warehouse) as conn_:
        status, error = conn_.execute("select status, error from raw.jobspikr_load_log").fetchone()
    assert status == "failed" and "check its login (client_id) and password (client_auth_key)" in error
    [mail] = [m for m in smtp_server if "extract_load" in m["Subject"]]
    assert mail["To"] == "data-oncall@example.com, second@example.com"
    assert "check its login (client_id) and password (client_auth_key)" in mail.get_body().get_content()


@pytest.mark.slow("a DAG run that fails in dbt, between a good load and build and the next run's")
def test_a_failing_dbt_model_fails_its_own_task_and_the_next_run_recovers(
        airflow_db: None, warehouse: str, standin: StandinServer, caplog) -> None:
    assert load_and_build_as_run(datetime(2026, 11, 18, 3, tzinfo=UTC))["status"] == "succeeded"
    with psycopg.connect(warehouse, autocommit=True) as conn:  # the legacy scraper's table drifts
        conn.execute("alter table raw.legacy_scraped_jobs rename column title to job_title")
    broken = datetime(2026, 11, 19, 3, tzinfo=UTC)
    assert run_ingest(broken, airflow_retries=False) == "failed"
    states = task_states(broken)
    assert states["dbt.stg_legacy__jobs.run"] == "failed"  # the broken model, in its own task
    assert states["dbt.stg_jobspikr__jobs.run"] == states["dbt.stg_jobspikr__jobs.test"] == "success"
    assert states["dbt.int_job_records__unioned.run"] == "upstream_failed"
    assert states["report_cutover"] == "upstream_failed"
    alerts = [r.getMessage() for r in caplog.records if r.name == "jobspikr.alerts"]
    assert any("task 'dbt.stg_legacy__jobs.run'" in alert for alert in alerts)

    with psycopg.connect(warehouse, autocommit=True) as conn:
        conn.execute("alter table raw.legacy_scraped_jobs rename column job_title to title")
    # the next run, as its load and a build: dbt rebuilds over what the failed build left
    assert load_and_build_as_run(datetime(2026, 11, 20, 3, tzinfo=UTC))["status"] == "succeeded"
    with psycopg.connect(warehouse) as conn:
        mart = [r[0] for r in conn.execute(
            "select source_record_id from marts.job_listing_records where source = 'jobspikr'")]
    assert sorted(mart) == sorted(served_ids(standin))
