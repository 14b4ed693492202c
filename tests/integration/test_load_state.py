"""``./pipeline state show`` / ``state reset``: what the loads remember, and a reset that
makes the next run fetch again from a date without losing or doubling anything."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta

import psycopg
import pytest

from devkit.suite import TEST_ANCHOR, jobspikr_conn_json
from jobspikr.hook import JobsPikrHook
from jobspikr.query import JobsPikrQuery
from jobspikr_pipeline.extract import extract_and_load
from jobspikr_pipeline.extract_plan import ExtractWindow
from jobspikr_pipeline.load_state import load_state, reset_state
from jobspikr_pipeline.raw_schema import apply_raw_schema
from local_stack.airflow_env import PROJECT_ROOT
from standin_api import Catalogue, StandinConfig, StandinServer

pytestmark = pytest.mark.integration

CATALOGUE = Catalogue(seed=3, size=300, anchor=TEST_ANCHOR, days=6)
FIRST = ExtractWindow(interval_start=TEST_ANCHOR, interval_end=TEST_ANCHOR + timedelta(days=1),
                      backfill_start=TEST_ANCHOR - timedelta(days=10))
#: The next daily run: its look-back does not reach the days the reset asks for.
NEXT = ExtractWindow(interval_start=TEST_ANCHOR + timedelta(days=1), interval_end=TEST_ANCHOR + timedelta(days=2),
                     backfill_start=TEST_ANCHOR - timedelta(days=10), lookback_days=0)


@pytest.fixture
def conn(warehouse: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[psycopg.Connection]:
    with StandinServer(StandinConfig(catalogue=CATALOGUE)) as server, \
            psycopg.connect(warehouse, autocommit=True) as connection:
        monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", jobspikr_conn_json(server, page_size=40))
        apply_raw_schema(connection)
        yield connection


def test_reset_makes_the_next_run_fetch_those_days_again_and_nothing_is_doubled(conn) -> None:
    extract_and_load(JobsPikrHook(), conn, JobsPikrQuery(), FIRST, airflow_run_id="first")
    [state] = load_state(conn)
    assert state.last_load_status == "succeeded" and state.last_load_records == CATALOGUE.size
    assert state.days_to_fetch_again == 0 and state.days_with_watermark > 0

    since = TEST_ANCHOR - timedelta(days=3)
    reset_state(conn, since=since, until=TEST_ANCHOR + timedelta(days=1))
    [state] = load_state(conn)
    assert state.days_to_fetch_again == 5
    summary = extract_and_load(JobsPikrHook(), conn, JobsPikrQuery(), NEXT, airflow_run_id="next")
    refetched = sum(1 for i in range(CATALOGUE.size)
                    if date.fromisoformat(CATALOGUE.record(i)["post_date"]) >= since)
    assert summary["records_received"] == refetched > 0 and summary["inserted"] == 0  # fetched, not doubled
    rows = conn.execute("select count(*), count(distinct uniq_id) from raw.jobspikr_jobs").fetchone()
    assert rows == (CATALOGUE.size, CATALOGUE.size)
    [state] = load_state(conn)
    assert state.days_to_fetch_again == 0  # every reset day reconciled again with the API's count
    assert conn.execute("select count(*) from raw.jobspikr_windows where complete is not true").fetchone()[0] == 0
    # a load that finds nothing new where JobsPikr does count records is quiet, not "fetched 0"
    again = extract_and_load(JobsPikrHook(), conn, JobsPikrQuery(), NEXT, airflow_run_id="again")
    assert again["records_received"] == 0 and again["nothing_fetched"] is None


def test_state_commands_as_a_user_types_them(conn) -> None:
    extract_and_load(JobsPikrHook(), conn, JobsPikrQuery(), FIRST, airflow_run_id="first")

    def pipeline(*args: str) -> str:
        done = subprocess.run(["./pipeline", "state", *args], cwd=PROJECT_ROOT, env=os.environ,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    shown = pipeline("show")
    assert f"{CATALOGUE.size} record(s) received" in shown and "0 to fetch again" in shown
    reset = pipeline("reset", "--since", (date.today() - timedelta(days=2)).isoformat())
    assert "3 day(s) will be fetched again by the next run" in reset
    assert "3 to fetch again from their start" in pipeline("show")
