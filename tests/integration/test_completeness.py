"""Completeness: every window a load fetches is reconciled with the API's ``total_count``,
whatever the server does within what the API notes allow (a real stand-in server, a real
Postgres). A run either lands every record once, or fails naming the windows and counts
that fall short, and the next run fetches those windows again whatever its look-back.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

from devkit.suite import TEST_ANCHOR, jobspikr_conn_json
from jobspikr.errors import JobsPikrIncompleteError, JobsPikrResponseError
from jobspikr.hook import JobsPikrHook
from jobspikr.query import JobsPikrQuery
from jobspikr_pipeline.extract import extract_and_load
from jobspikr_pipeline.extract_plan import ExtractWindow
from jobspikr_pipeline.raw_schema import apply_raw_schema
from local_stack.airflow_env import LOCAL_DIR
from standin_api import Catalogue, StandinConfig, StandinServer
from standin_api.faults import Fault, FaultPlan

pytestmark = pytest.mark.integration

CATALOGUE = Catalogue(seed=5, size=400, anchor=TEST_ANCHOR, days=4)
ALL_IDS = {CATALOGUE.record(i)["uniq_id"] for i in range(CATALOGUE.size)}
#: Interval [Nov 19, Nov 20) with a first load back to Nov 14: every record of the catalogue.
WINDOW = ExtractWindow(interval_start=date(2026, 11, 19), interval_end=date(2026, 11, 20),
                       backfill_start=date(2026, 11, 14))
FAST = {"page_size": 40, "backoff_initial": 0.01, "backoff_max": 0.02, "requests_per_minute": 600_000}


def per_day(catalogue: Catalogue) -> Counter[date]:
    """The truth the server holds: records per post-date day."""
    return Counter(date.fromisoformat(catalogue.record(i)["post_date"]) for i in range(catalogue.size))


@pytest.fixture
def conn(warehouse: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(warehouse, autocommit=True) as connection:
        apply_raw_schema(connection)
        yield connection


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandinServer]:
    with StandinServer(StandinConfig(catalogue=CATALOGUE)) as srv:
        monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", jobspikr_conn_json(srv, **FAST))
        yield srv


def load(conn: psycopg.Connection, window: ExtractWindow = WINDOW, **kwargs: object) -> dict[str, object]:
    return extract_and_load(JobsPikrHook(), conn, JobsPikrQuery(), window, airflow_run_id="test", **kwargs)


def raw_ids(conn: psycopg.Connection) -> list[str]:
    return [row[0] for row in conn.execute("select uniq_id from raw.jobspikr_jobs")]


def window_counts(conn: psycopg.Connection) -> dict[date, tuple[int | None, int, bool | None]]:
    """Each window's (expected, received, complete) as the warehouse records it."""
    rows = conn.execute("select post_date, expected_count, received_count, complete from raw.jobspikr_windows")
    return {day: (expected, received, complete) for day, expected, received, complete in rows}


def test_capped_pages_and_an_empty_first_answer_on_every_day_land_everything_in_one_run(conn, monkeypatch) -> None:
    """The two behaviours that lost records silently: a server that answers 20 when asked
    for 40, and an empty first answer (that looks like the end) for every day."""
    config = StandinConfig(catalogue=CATALOGUE, max_page_size=20, next_cursor_on_last_page=False)
    with StandinServer(config, faults=FaultPlan(first_of_each_query=Fault("glitch_empty"))) as server:
        monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", jobspikr_conn_json(server, **FAST, parallel_days=2))
        summary = load(conn)
    ids = raw_ids(conn)
    assert len(ids) == len(set(ids)) and set(ids) == ALL_IDS
    assert summary["incomplete_windows"] == [] and summary["windows_checked"] == len(WINDOW.days(first_load=True))
    truth = per_day(CATALOGUE)
    assert window_counts(conn) == {day: (truth[day], truth[day], True) for day in WINDOW.days(first_load=True)}
    # the load log shows expected vs received per window, in pass 1 (no second pass needed)
    logged = conn.execute("select post_date, pass, expected_count, received_count from raw.jobspikr_load_windows"
                          " where expected_count > 0").fetchall()
    assert sorted(logged) == sorted((day, 1, n, n) for day, n in truth.items())


def test_a_window_still_short_fails_naming_it_and_the_next_run_fetches_it_again_whatever_the_lookback(
        conn, server) -> None:
    truth = per_day(CATALOGUE)
    server.faults = FaultPlan(always=Fault("glitch_empty"))  # every answer looks like the end
    with pytest.raises(JobsPikrIncompleteError) as failed:
        load(conn)
    message = str(failed.value)
    for day, count in truth.items():
        assert f"{day}: received 0 of {count}" in message
    assert "the next run fetches these windows again from their start" in message
    status, short = conn.execute("select status, windows_short from raw.jobspikr_load_log").fetchone()
    assert (status, short) == ("failed", len(truth))
    passes = conn.execute("select count(*) from raw.jobspikr_load_windows where pass = 2").fetchone()[0]
    assert passes == len(truth)  # each short day was fetched a second time, from its start
    # A healthy API; the next run's interval and look-back are far past these days.
    server.faults = FaultPlan()
    later = ExtractWindow(interval_start=date(2026, 11, 30), interval_end=date(2026, 12, 1),
                          backfill_start=date(2026, 11, 30), lookback_days=1)
    summary = load(conn, later)
    assert summary["status"] == "succeeded" and summary["incomplete_windows"] == []
    assert sorted(raw_ids(conn)) == sorted(ALL_IDS)
    assert all(complete for _, _, complete in window_counts(conn).values())


def test_on_incomplete_warn_succeeds_but_says_which_windows_are_short(conn, server, caplog) -> None:
    server.faults = FaultPlan(always=Fault("glitch_empty"))
    summary = load(conn, on_incomplete="warn")
    assert summary["status"] == "succeeded" and len(summary["incomplete_windows"]) == len(per_day(CATALOGUE))
    gaps = [r for r in caplog.records if r.name == "jobspikr.alerts" and "SUCCEEDED WITH GAPS" in r.getMessage()]
    assert len(gaps) == 1  # alerted like a failure, on the alerts logger
    assert conn.execute("select windows_short from raw.jobspikr_load_log").fetchone()[0] == len(per_day(CATALOGUE))


def test_a_server_without_total_count_cannot_confirm_a_window_so_the_run_does_not_succeed(
        conn, monkeypatch) -> None:
    with StandinServer(StandinConfig(catalogue=CATALOGUE, send_total_count=False)) as server:
        monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", jobspikr_conn_json(server, **FAST))
        with pytest.raises(JobsPikrIncompleteError, match=r"unknown number \(no total_count\)"):
            load(conn)
    assert set(raw_ids(conn)) == ALL_IDS  # what was received is kept
    assert {complete for _, _, complete in window_counts(conn).values()} == {None}


# -- generative conformance: a server drawn at random within what the API notes allow ----------

ANCHOR = TEST_ANCHOR
#: Faults that a real server may show now and then (each by request number).
GLITCHES = [Fault("glitch_empty"), Fault("empty_page"), Fault("repeat"), Fault("resend"), Fault("duplicates"),
            Fault("status", 503)]
EXAMPLES = int(os.environ.get("JOBSPIKR_PROPERTY_EXAMPLES", "200"))


@st.composite
def server_behaviours(draw: st.DrawFn) -> tuple[StandinConfig, dict[int, Fault]]:
    catalogue = Catalogue(seed=draw(st.integers(0, 10_000)), size=draw(st.integers(0, 45)), anchor=ANCHOR,
                          days=draw(st.integers(1, 3)))
    config = StandinConfig(catalogue=catalogue, max_page_size=draw(st.integers(1, 12)),
                           next_cursor_on_last_page=draw(st.booleans()))
    faults = draw(st.dictionaries(st.integers(1, 30), st.sampled_from(GLITCHES), max_size=6))
    return config, faults


@pytest.fixture
def property_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandinServer]:
    with StandinServer() as srv:
        monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT",
                           jobspikr_conn_json(srv, **{**FAST, "page_size": 12, "parallel_days": 1}))
        yield srv


@settings(max_examples=EXAMPLES, deadline=None, print_blob=True,
          database=DirectoryBasedExampleDatabase(str(LOCAL_DIR / "hypothesis")),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(behaviour=server_behaviours())
def test_every_record_lands_exactly_once_and_no_run_succeeds_over_a_gap(
        conn, property_server, behaviour: tuple[StandinConfig, dict[int, Fault]]) -> None:
    """Page caps below the size asked, empty pages anywhere (first and last included, with
    and without a ``next_cursor``), repeated and re-sent pages, duplicates, 5xx; a
    ``next_cursor`` on the last page or not; random records per day. Property: a run that
    succeeds has every record the server holds exactly once and windows whose counts agree
    with the server's truth; a run that fails (short, or a server stuck on one page) names
    only windows that really are short, and a later run lands everything."""
    config, faults = behaviour
    conn.execute("truncate raw.jobspikr_load_log, raw.jobspikr_jobs, raw.jobspikr_watermarks,"
                 " raw.jobspikr_windows, raw.jobspikr_window_records, raw.jobspikr_load_windows,"
                 " raw.jobspikr_rejects cascade")
    property_server.config = config
    offset = property_server.requests_served
    property_server.faults = FaultPlan(by_request={offset + n: fault for n, fault in faults.items()})
    catalogue = config.catalogue
    truth = per_day(catalogue)
    window = ExtractWindow(interval_start=ANCHOR, interval_end=ANCHOR + timedelta(days=1),
                           backfill_start=ANCHOR - timedelta(days=catalogue.days + 3))
    outcomes = []
    # At most 6 faults, so at most two runs fail: one short of a day (4 end signals on one day),
    # or one stuck (MAX_STALLED_PAGES repeats of a page in a row: the hook's clear error).
    for _ in range(3):
        try:
            load(conn, window)
        except (JobsPikrIncompleteError, JobsPikrResponseError):
            outcomes.append("failed")
            for day, (expected, received, complete) in window_counts(conn).items():
                assert complete is not False or (received < truth[day] and expected == truth[day]), day
            continue
        outcomes.append("succeeded")
        break
    assert outcomes[-1] == "succeeded", outcomes
    ids = raw_ids(conn)
    assert len(ids) == len(set(ids)) and set(ids) == {catalogue.record(i)["uniq_id"] for i in range(catalogue.size)}
    for day, (expected, received, complete) in window_counts(conn).items():
        assert (expected, received, complete) == (truth[day], truth[day], True), day
