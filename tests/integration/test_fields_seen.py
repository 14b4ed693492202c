"""Schema drift on a real Postgres: the fields JobsPikr's records carry (``raw.jobspikr_fields_seen``),
a field seen for the first time named the day it lands, and no quirky record rejected."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from datetime import date

import psycopg
import pytest

from devkit.suite import TEST_ANCHOR, jobspikr_conn_json, land_records
from jobspikr.hook import JobsPikrHook
from jobspikr.query import JobsPikrQuery
from jobspikr_pipeline.extract import extract_and_load
from jobspikr_pipeline.extract_plan import ExtractWindow
from jobspikr_pipeline.raw_loader import RawLoader
from jobspikr_pipeline.raw_schema import apply_raw_schema
from standin_api import RECORD_FIELDS, Catalogue, StandinConfig, StandinServer
from standin_api.quirks import WORK_MODE_FROM

pytestmark = pytest.mark.integration

CATALOGUE = Catalogue(seed=21, size=300, anchor=TEST_ANCHOR, days=3, real_quirks=True)
RECORDS = [CATALOGUE.record(i) for i in range(CATALOGUE.size)]
#: Before and after JobsPikr starts sending ``inferred_work_mode``.
EARLY, LATE = RECORDS[:int(CATALOGUE.size * WORK_MODE_FROM)], RECORDS[int(CATALOGUE.size * WORK_MODE_FROM):]


@pytest.fixture
def conn(warehouse: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(warehouse, autocommit=True) as connection:
        apply_raw_schema(connection)
        yield connection


def load(conn: psycopg.Connection, records: list[dict], run_id: str) -> RawLoader:
    loader = RawLoader(conn, query_key="drift", airflow_run_id=run_id)
    for start in range(0, len(records), 70):  # several batches: the counts add up across them
        land_records(loader, records[start:start + 70], post_date=TEST_ANCHOR)
    loader.ledger.finish()
    return loader


def fields_seen(conn: psycopg.Connection) -> dict[str, tuple]:
    return {row[0]: row[1:] for row in conn.execute(
        "select field, documented, first_seen_run_id, records_seen, share::float8 from raw.jobspikr_fields_seen")}


def test_a_new_field_is_named_the_day_it_lands_with_its_share_and_first_run(conn: psycopg.Connection) -> None:
    first = load(conn, EARLY, "run-1")
    carried = Counter(name for record in EARLY for name in record)
    seen = fields_seen(conn)
    assert set(seen) == set(carried) and "inferred_work_mode" not in seen
    for name, count in carried.items():
        assert seen[name] == (name in RECORD_FIELDS, "run-1", count, round(count / len(EARLY), 4)), name
    # The first load names only what the API notes do not document: all 42 are new to it too.
    assert {f.name for f in first.ledger.new_fields()} == set(carried) - set(RECORD_FIELDS)

    second = load(conn, LATE, "run-2")
    [new] = second.ledger.new_fields()
    in_late = sum("inferred_work_mode" in record for record in LATE)
    assert new.name == "inferred_work_mode" and new.share == pytest.approx(in_late / len(LATE))
    assert new.describe() == f"inferred_work_mode (first seen this run, {in_late / len(LATE):.0%} of records)"
    seen = fields_seen(conn)
    assert seen["inferred_work_mode"] == (False, "run-2", in_late, round(in_late / len(RECORDS), 4))
    both = Counter(name for record in RECORDS for name in record)
    assert seen["dataset"][1:] == ("run-1", both["dataset"], round(both["dataset"] / len(RECORDS), 4))
    # Nothing rejected, and the payload keeps every field it was sent, known or not.
    assert conn.execute("select sum(records_received), sum(rejected) from raw.jobspikr_load_log").fetchone() == (
        len(RECORDS), 0)
    assert conn.execute("select count(*) from raw.jobspikr_jobs").fetchone()[0] == len(RECORDS)
    extra = next(r for r in RECORDS if "extra_fields" in r and "inferred_work_mode" in r)
    [payload] = conn.execute("select payload from raw.jobspikr_jobs where uniq_id = %s", (extra["uniq_id"],)).fetchone()
    assert {k: payload[k] for k in ("extra_fields", "inferred_work_mode")} == {
        k: extra[k] for k in ("extra_fields", "inferred_work_mode")}


def test_the_extract_names_new_fields_in_its_summary_and_log(conn: psycopg.Connection, monkeypatch,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    window = ExtractWindow(interval_start=date(2026, 11, 19), interval_end=date(2026, 11, 21),
                           backfill_start=date(2026, 11, 14))
    with StandinServer(StandinConfig(catalogue=CATALOGUE)) as server:
        monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", jobspikr_conn_json(server, page_size=50))
        with caplog.at_level(logging.WARNING, logger="jobspikr_pipeline.extract"):
            summary = extract_and_load(JobsPikrHook(), conn, JobsPikrQuery(), window, airflow_run_id="extract-1")
    assert summary["status"] == "succeeded" and summary["rejected"] == 0
    assert summary["records_received"] == summary["inserted"] == len(RECORDS)
    named = {f["field"] for f in summary["new_fields"]}
    assert {"inferred_work_mode", "extra_fields", "last_expiry_check_date"} <= named
    assert not named & set(RECORD_FIELDS)
    assert "new field(s) in the records" in caplog.text and "inferred_work_mode (first seen this run" in caplog.text
