"""Raw landing on a real Postgres from the real stand-in: idempotent, incremental, crash-safe."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest

from devkit.suite import TEST_ANCHOR, jobspikr_conn_json, land_records
from jobspikr.errors import JobsPikrUnavailableError
from jobspikr.hook import JobsPikrHook
from jobspikr.query import JobsPikrQuery
from jobspikr_pipeline.archive import archive_stale_listings
from jobspikr_pipeline.extract import extract_and_load
from jobspikr_pipeline.extract_plan import ExtractWindow, find_empty_days
from jobspikr_pipeline.raw_loader import RawLoader
from jobspikr_pipeline.raw_schema import RAW_SCHEMA_DIR, RawSchemaError, apply_raw_schema
from standin_api import Catalogue, StandinConfig, StandinServer
from standin_api.faults import Fault, FaultPlan

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = Catalogue(seed=5, size=400, anchor=TEST_ANCHOR, days=4)
ALL_IDS = {CATALOGUE.record(i)["uniq_id"] for i in range(CATALOGUE.size)}
#: Interval [Nov 19, Nov 20): with a 30-day backfill the first load covers every record.
WINDOW = ExtractWindow(interval_start=date(2026, 11, 19), interval_end=date(2026, 11, 20),
                       backfill_start=date(2026, 11, 14))
#: One day at a time: the fault plans below name request numbers, which parallel days reorder.
#: A retry budget of a second: an outage fails the load in that, not in the default minutes.
FAST = {"page_size": 40, "backoff_initial": 0.01, "backoff_max": 0.02, "parallel_days": 1,
        "retry_budget_seconds": 1}


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandinServer]:
    with StandinServer(StandinConfig(catalogue=CATALOGUE)) as srv:
        monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", jobspikr_conn_json(srv, **FAST))
        yield srv


@pytest.fixture
def conn(warehouse: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(warehouse, autocommit=True) as connection:
        apply_raw_schema(connection)
        yield connection


def load(conn: psycopg.Connection, window: ExtractWindow = WINDOW, **kwargs: object) -> dict[str, object]:
    return extract_and_load(JobsPikrHook(), conn, JobsPikrQuery(), window, airflow_run_id="test", **kwargs)


def count_requests_first() -> int:
    """The count requests a first load of WINDOW makes before its first page (empty ranges
    are asked for first, jobspikr_pipeline.extract_plan.find_empty_days): request numbers of
    pages in the fault plans below are shifted by it."""
    posted = [date.fromisoformat(CATALOGUE.record(i)["post_date"]) for i in range(CATALOGUE.size)]
    _, probes = find_empty_days(lambda a, b: sum(a <= d <= b for d in posted), WINDOW.days(first_load=True))
    return probes


def raw_ids(conn: psycopg.Connection) -> list[str]:
    return [row[0] for row in conn.execute("select uniq_id from raw.jobspikr_jobs")]


def test_first_load_lands_every_record_once_with_counts(conn, server) -> None:
    summary = load(conn)
    ids = raw_ids(conn)
    assert len(ids) == len(set(ids)) and set(ids) == ALL_IDS
    assert summary["records_received"] == summary["inserted"] == len(ALL_IDS)
    assert summary["status"] == "succeeded" and summary["bytes"] > 0 and summary["pages"] > 10
    row = conn.execute("select status, inserted, pages, bytes from raw.jobspikr_load_log").fetchone()
    assert row == ("succeeded", len(ALL_IDS), summary["pages"], summary["bytes"])


def test_duplicates_within_and_across_pages_land_once(conn, server) -> None:
    # Requests 3, 4 and 7 carry full pages (days Nov 15 and Nov 16 of this catalogue).
    shift = count_requests_first()
    server.faults = FaultPlan(by_request={shift + 3: Fault("duplicates"), shift + 4: Fault("resend"),
                                          shift + 7: Fault("resend")})
    summary = load(conn)
    assert sorted(raw_ids(conn)) == sorted(ALL_IDS)
    assert summary["duplicates_skipped"] == 3 and summary["records_received"] == len(ALL_IDS) + 3


def test_resent_changed_record_becomes_current_and_keeps_its_history(conn, server) -> None:
    load(conn)
    conn.execute("delete from raw.jobspikr_watermarks")  # JobsPikr re-sends everything
    server.faults = FaultPlan.at([server.requests_served + 1], Fault("changed"))
    summary = load(conn)
    assert (summary["inserted"], summary["updated"]) == (1, 1)
    assert summary["duplicates_skipped"] == summary["records_received"] - 1
    versions = conn.execute(
        "select uniq_id, array_agg(payload ->> 'has_expired' order by fetched_at) from raw.jobspikr_jobs"
        " group by uniq_id having count(*) > 1").fetchall()
    assert len(versions) == 1 and versions[0][1] == ["false", "true"]


def test_rerun_of_an_old_interval_adds_nothing_and_fails_nothing(conn, server) -> None:
    load(conn)
    old = ExtractWindow(interval_start=date(2026, 11, 16), interval_end=date(2026, 11, 17),
                        backfill_start=date(2026, 10, 17))
    summary = load(conn, old)
    assert summary["status"] == "succeeded" and summary["inserted"] == 0
    assert len(raw_ids(conn)) == len(ALL_IDS)


def test_late_records_inside_the_lookback_are_caught_up(conn, server) -> None:
    """A run that failed half-way is finished by the next run's look-back, from the watermarks."""
    server.faults = FaultPlan(always=Fault("status", status_code=503))
    with pytest.raises(JobsPikrUnavailableError, match="HTTP 503"):
        load(conn)
    assert raw_ids(conn) == []
    server.faults = FaultPlan()
    next_day = ExtractWindow(interval_start=date(2026, 11, 20), interval_end=date(2026, 11, 21),
                             backfill_start=date(2026, 10, 21), lookback_days=5)
    load(conn, next_day)
    assert sorted(raw_ids(conn)) == sorted(ALL_IDS)
    statuses = [r[0] for r in conn.execute("select status from raw.jobspikr_load_log order by load_id")]
    assert statuses == ["failed", "succeeded"]


def test_schema_drift_is_kept_in_the_payload_and_does_not_fail_the_load(conn, server) -> None:
    server.faults = FaultPlan(always=Fault("drift"))
    load(conn)
    assert len(raw_ids(conn)) == len(ALL_IDS)
    drifted = conn.execute(
        "select count(*) from raw.jobspikr_jobs where payload ->> 'inferred_work_mode' = 'hybrid'"
        " and not payload ? 'category'").fetchone()[0]
    assert drifted == len(ALL_IDS)


def test_malformed_record_is_rejected_with_its_reason_and_the_rest_loaded(conn, server) -> None:
    server.faults = FaultPlan.at([count_requests_first() + 3], Fault("no_uniq_id"))
    summary = load(conn)
    assert summary["rejected"] == 1 and len(raw_ids(conn)) == len(ALL_IDS) - 1
    reason, record_cursor = conn.execute(
        "select reason, (record ->> 'cursor')::bigint from raw.jobspikr_rejects").fetchone()
    assert "has no uniq_id" in reason
    missing = ALL_IDS - set(raw_ids(conn))
    assert [r["cursor"] for i in range(CATALOGUE.size) if (r := CATALOGUE.record(i))["uniq_id"] in missing] == [
        record_cursor]
    assert conn.execute("select rejected from raw.jobspikr_load_log").fetchone()[0] == 1


def test_migrations_apply_once_and_refuse_edited_history(conn, tmp_path) -> None:
    assert apply_raw_schema(conn) == []  # second application: nothing to do
    names = [r[0] for r in conn.execute("select name from raw.schema_migrations order by version")]
    assert names == sorted(p.name for p in RAW_SCHEMA_DIR.glob("*.sql"))
    edited = tmp_path / "migrations"
    shutil.copytree(RAW_SCHEMA_DIR, edited)
    first = sorted(edited.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited\n")
    with pytest.raises(RawSchemaError, match="edited after it was applied"):
        apply_raw_schema(conn, edited)


def test_migrations_never_drop_or_delete_data() -> None:
    for path in RAW_SCHEMA_DIR.glob("*.sql"):
        sql = re.sub(r"--.*", "", path.read_text()).lower()
        assert not re.search(r"\b(drop|truncate|delete)\b", sql), path.name


def test_archive_moves_stale_listings_and_a_resend_is_not_landed_twice(conn, server) -> None:
    load(conn)
    stale = sorted(ALL_IDS)[:25]
    conn.execute("update raw.jobspikr_jobs set last_seen_at = now() - interval '120 days'"
                 " where uniq_id = any(%s)", (stale,))
    moved = archive_stale_listings(conn, unseen_days=90, expired_grace_days=7)
    assert moved == 25
    assert set(raw_ids(conn)) == ALL_IDS - set(stale)
    archived = conn.execute("select uniq_id, archive_reason from raw.jobspikr_jobs_archive").fetchall()
    assert sorted(u for u, _ in archived) == stale and all(r.startswith("unseen since") for _, r in archived)
    conn.execute("delete from raw.jobspikr_watermarks")
    assert load(conn)["inserted"] == 0  # unchanged versions of archived listings are already kept


def test_worker_killed_mid_load_then_next_run_loads_exactly_the_missing_records(conn, warehouse,
                                                                                 monkeypatch) -> None:
    slow = StandinServer(StandinConfig(catalogue=CATALOGUE, latency_ms=150))
    with slow:
        env = {**os.environ, "AIRFLOW_CONN_JOBSPIKR_DEFAULT": jobspikr_conn_json(slow, **FAST),
               "PYTHONPATH": f"{ROOT}:{ROOT / 'plugins'}"}
        worker = subprocess.Popen([sys.executable, "-m", "devkit.extract_load", warehouse,
                                   "--backfill-start", "2026-11-14", "--run-id", "doomed", "--batch-records", "40"],
                                  env=env, cwd=ROOT)
        deadline = time.monotonic() + 60
        while len(raw_ids(conn)) < 120 and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        landed = raw_ids(conn)
        assert 0 < len(landed) < len(ALL_IDS), "the kill must land mid-load"
        assert len(set(landed)) == len(landed) and set(landed) < ALL_IDS
        monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", env["AIRFLOW_CONN_JOBSPIKR_DEFAULT"])
        summary = load(conn)
    final = raw_ids(conn)
    assert len(final) == len(set(final)) and set(final) == ALL_IDS  # no gap, no duplicate
    assert summary["inserted"] == len(ALL_IDS) - len(landed)
    abandoned = conn.execute(
        "select status, error from raw.jobspikr_load_log where airflow_run_id = 'doomed'").fetchone()
    assert abandoned[0] == "failed" and "abandoned" in abandoned[1]


@pytest.mark.parametrize("parallel_days", [1, 4])
def test_days_fetched_in_parallel_land_exactly_like_one_at_a_time(conn, monkeypatch, parallel_days) -> None:
    """With a slow API, ``parallel_days`` days are in flight at once; what lands is the same."""
    with StandinServer(StandinConfig(catalogue=CATALOGUE, latency_ms=40)) as slow:
        monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT",
                           jobspikr_conn_json(slow, **{**FAST, "parallel_days": parallel_days}))
        summary = load(conn, batch_records=50)
        # never more requests at once than streams; with several, they did overlap
        assert slow.max_in_flight <= parallel_days
        assert (slow.max_in_flight > 1) == (parallel_days > 1)
        landed = raw_ids(conn)
        assert len(landed) == len(set(landed)) and set(landed) == ALL_IDS
        assert summary["inserted"] == len(ALL_IDS)
        # each day's watermark was stored at its end: a rerun asks for one (empty) page per day
        before = slow.requests_served
        assert load(conn)["inserted"] == 0
        assert slow.requests_served - before == len(WINDOW.days(first_load=False))


def _stored(conn: psycopg.Connection) -> dict[tuple[str, str], tuple[int, object]]:
    return {(u, h): (c, seen) for u, h, c, seen in
            conn.execute("select uniq_id, record_hash, cursor, last_seen_at from raw.jobspikr_jobs")}


@pytest.mark.parametrize("race", [False, True], ids=["direct copy", "another load stored them meanwhile"])
def test_a_batch_lands_new_versions_once_and_marks_known_ones_seen_again(conn, monkeypatch, race) -> None:
    """A batch with new versions, a stored one re-sent with a newer cursor, a version sent twice
    and an archived one: the same rows and counts whether the loader's direct COPY goes through
    or finds a version stored after its look-up (then it merges the batch instead)."""
    first = [CATALOGUE.record(i) for i in range(3)]
    loader = RawLoader(conn, query_key="batch-test", airflow_run_id="t")
    land_records(loader, first, post_date=TEST_ANCHOR)
    conn.execute("update raw.jobspikr_jobs set last_seen_at = now() - interval '100 days' where uniq_id = %s",
                 (first[2]["uniq_id"],))
    assert archive_stale_listings(conn, unseen_days=90, expired_grace_days=10_000) == 1
    before = _stored(conn)
    changed = {**first[1], "job_title": "Changed title"}
    again = [{**first[0], "cursor": first[0]["cursor"] + 1000}, changed, CATALOGUE.record(3),
             {**CATALOGUE.record(3), "cursor": CATALOGUE.record(3)["cursor"] + 5}, first[2]]
    if race:  # the look-up sees nothing, as if every version were stored after it ran
        monkeypatch.setattr("jobspikr_pipeline.raw_rows._STORED_SQL",
                            "select null::text, null::text, false where %(ids)s::text[] is null")
    counts = land_records(loader, again, post_date=TEST_ANCHOR)
    assert (counts.inserted, counts.updated, counts.duplicates_skipped) == (2, 1, 3)
    after = _stored(conn)
    key0 = next(k for k in before if k[0] == first[0]["uniq_id"])
    assert after[key0][0] == first[0]["cursor"] + 1000 and after[key0][1] > before[key0][1]  # seen again, newest
    new3 = [k for k in after if k[0] == CATALOGUE.record(3)["uniq_id"]]
    assert len(new3) == 1 and after[new3[0]][0] == CATALOGUE.record(3)["cursor"] + 5  # sent twice: newest cursor
    assert len([k for k in after if k[0] == first[1]["uniq_id"]]) == 2  # a changed re-send is a new version
    assert not any(k[0] == first[2]["uniq_id"] for k in after)  # archived: not landed again
    assert len(after) == len(before) + 2
    loader.ledger.finish()
