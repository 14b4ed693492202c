"""A real account's first load, as a new user meets it: ``./pipeline run`` against an API
holding only 2021 records and an empty warehouse (both by their connections)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest

from devkit.suite import jobspikr_conn_json
from local_stack.airflow_env import PROJECT_ROOT
from standin_api import Catalogue, StandinConfig, StandinServer

pytestmark = pytest.mark.integration

OCTOBER_2021 = Catalogue(seed=11, size=400, anchor=date(2021, 10, 31), days=31)


@pytest.fixture
def api_2021(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandinServer]:
    with StandinServer(StandinConfig(catalogue=OCTOBER_2021)) as server:
        monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", jobspikr_conn_json(server, page_size=50))
        yield server


def pipeline(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["./pipeline", *args], cwd=PROJECT_ROOT, env=os.environ, capture_output=True,
                          text=True, timeout=900)


@pytest.mark.slow("./pipeline run twice as a user runs it, each a new Airflow process and a whole DAG run")
def test_a_first_load_that_finds_nothing_says_so_and_since_reaches_2021_cheaply(
        warehouse: str, api_2021: StandinServer) -> None:
    # The default first load (30 days back) finds nothing: a success, but a loud one.
    first = pipeline("run")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "fetched:    0 records" in first.stdout
    assert "alert:      JobsPikr pipeline: fetched 0 records: this first load asked JobsPikr for post dates" \
        in first.stdout
    assert "./pipeline run --since YYYY-MM-DD" in first.stdout
    # where the time went, per task, longest first
    per_task = next(line for line in first.stdout.splitlines() if line.startswith("  per task:"))
    times = [float(t.rsplit(" ", 1)[1].rstrip("s")) for t in per_task.split(":", 1)[1].split(", ")]
    assert "extract_load" in per_task and "dbt.dbt_producer_watcher" in per_task and "dbt node tasks (" in per_task
    assert times == sorted(times, reverse=True) and len(times) >= 8, per_task

    served = api_2021.requests_served
    second = pipeline("run", "--since", "2021-10-01")
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    with psycopg.connect(warehouse) as conn:
        landed = {row[0] for row in conn.execute("select uniq_id from raw.jobspikr_jobs")}
        checked, first_day, last_day = conn.execute(
            "select count(*), min(post_date), max(post_date) from raw.jobspikr_windows where complete").fetchone()
    records = [OCTOBER_2021.record(i) for i in range(OCTOBER_2021.size)]
    assert landed == {r["uniq_id"] for r in records if r["post_date"] >= "2021-10-01"}  # and none before
    # every day from 2021 to the run's interval end reconciled, the empty ones too (the end is
    # the timetable's, in UTC: yesterday or the day before, whatever the clock says here)
    assert first_day == date(2021, 10, 1) and checked == (last_day - first_day).days + 1
    assert last_day >= datetime.now(UTC).date() - timedelta(days=2), last_day
    # progress while it went, one line per batch (the output is not a terminal here)
    progress = [line for line in second.stdout.splitlines() if line.startswith("  extract: window 2021-10-")]
    days_with_records = {r["post_date"] for r in records if r["post_date"] >= "2021-10-01"}
    assert len(progress) >= len(days_with_records) and "rows/s, credits left" in progress[-1]
    # the empty years were counted, not fetched day by day: 400 records in pages of 50 are 8+
    # pages, 31 days with records need 31 requests at least; a day-by-day load needs ~1,900
    requests = api_2021.requests_served - served
    assert requests < 200, requests
