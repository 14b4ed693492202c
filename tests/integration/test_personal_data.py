"""Personal data, searched for: known contact values planted in the API's records, a run,
then every table, the logs and the lineage events searched for them; retention; erasure."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from jobspikr.responses import Rejected
from jobspikr_pipeline.archive import archive_stale_listings
from jobspikr_pipeline.dbt import DbtError, run_dbt
from jobspikr_pipeline.personal_data import PersonalDataPolicy, apply_retention, forget_and_rebuild
from jobspikr_pipeline.raw_loader import RawLoader
from jobspikr_pipeline.raw_schema import apply_migrations
from local_stack.airflow_env import openlineage_events_path
from standin_api import Catalogue, StandinConfig, StandinServer
from standin_api.legacy import LegacyScrape, write_legacy_rows
from tests.conftest import TEST_ANCHOR, jobspikr_conn_json
from tests.integration.dag_runs import run_ingest

pytestmark = pytest.mark.integration

POLICY = PersonalDataPolicy.configured()


def planted_email(index: int) -> str:
    return f"Recruiter.{index}@planted-example.com"


def planted_phone(index: int) -> str:
    return f"+1 (555) 01{index:04d}"


@dataclass(frozen=True)
class PlantedCatalogue(Catalogue):
    """The stand-in's records, every seventh with a recruiter's email and phone, which its
    description repeats (as real postings do: "questions? write to ...")."""

    def record(self, index: int) -> dict[str, Any]:
        record = super().record(index)
        if index % 7 == 0:
            record["contact_email"], record["contact_phone_number"] = planted_email(index), planted_phone(index)
            record["job_description"] += f" Questions? Write to {planted_email(index)} or call {planted_phone(index)}."
        return record


CATALOGUE = PlantedCatalogue(seed=7, size=300, anchor=TEST_ANCHOR, days=5)
PLANTED = [i for i in range(CATALOGUE.size) if i % 7 == 0]


def occurrences(conn: psycopg.Connection, needle: str) -> dict[str, int]:
    """Every table column (text or JSON) holding ``needle`` in any case: ``schema.table.column``: rows."""
    found: dict[str, int] = {}
    columns = conn.execute("""
        select c.table_schema, c.table_name, c.column_name from information_schema.columns c
        join information_schema.tables t using (table_schema, table_name)
        where t.table_type = 'BASE TABLE' and c.table_schema not in ('pg_catalog', 'information_schema')
          and c.data_type in ('text', 'character varying', 'jsonb', 'json')""").fetchall()
    for schema, table, column in columns:
        query = sql.SQL("select count(*) from {}.{} where {}::text ilike %s").format(
            sql.Identifier(schema), sql.Identifier(table), sql.Identifier(column))
        rows = conn.execute(query, (f"%{needle}%",)).fetchone()[0]
        if rows:
            found[f"{schema}.{table}.{column}"] = rows
    return found


def test_a_run_under_the_default_policy_leaves_no_contact_value_anywhere_and_forget_erases_one_person(
        airflow_db: None, warehouse: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    lineage = openlineage_events_path(Path(os.environ["AIRFLOW_HOME"]))
    lineage_before = lineage.stat().st_size if lineage.exists() else 0
    with StandinServer(StandinConfig(catalogue=CATALOGUE)) as server:
        monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", jobspikr_conn_json(server))
        assert run_ingest(datetime(2026, 11, 20, 3, tzinfo=UTC), conf={"backfill_days": 6}) == "success"
    lineage_events = lineage.read_bytes()[lineage_before:].decode().lower() if lineage.exists() else ""

    with psycopg.connect(warehouse, autocommit=True) as conn:
        for index in PLANTED:
            for value in (planted_email(index), planted_phone(index)):
                assert occurrences(conn, value) == {}, value
                assert value.lower() not in caplog.text.lower() and value.lower() not in lineage_events
        # what is kept instead: one pseudonym per person, so contacts can still be counted
        pseudonyms = conn.execute("select count(distinct payload ->> 'contact_email') from raw.jobspikr_jobs"
                                  " where payload ->> 'contact_email' like 'hmac:%'").fetchone()[0]
        assert pseudonyms == len(PLANTED)
        assert lineage_events  # the search above read real events

        # The legacy scraper's copy of one posting names the same recruiter in the clear.
        person = PLANTED[1]
        legacy = LegacyScrape(Catalogue(seed=7, size=300, anchor=TEST_ANCHOR, days=5), size=1).rows()[0]
        legacy["description_html"] = f"<p>Write to {planted_email(person)}.</p>"
        with conn.transaction():
            write_legacy_rows(conn, [legacy])
        run_dbt(["build"], conn_id="warehouse_default")
        assert occurrences(conn, planted_email(person))  # in raw and in what dbt made of it
        records_before = conn.execute("select count(*) from marts.job_listing_records").fetchone()[0]

        changed = forget_and_rebuild(conn, POLICY, field_name="contact_email", value=planted_email(person).upper(),
                                     conn_id="warehouse_default")
        assert changed["raw.jobspikr_jobs"] >= 1 and changed["raw.legacy_scraped_jobs"] == 1
        assert occurrences(conn, planted_email(person)) == {}
        assert occurrences(conn, POLICY.pseudonym("contact_email", planted_email(person))) == {}
        # nobody else was touched, nothing was lost, and the rebuild passed the marts' tests
        assert conn.execute("select count(*) from raw.jobspikr_jobs where payload ->> 'contact_email' like 'hmac:%'"
                            ).fetchone()[0] >= len(PLANTED) - 1
        assert conn.execute("select count(*) from marts.job_listing_records").fetchone()[0] == records_before
        audit = conn.execute("select field_name, rows_changed, tables::text from raw.personal_data_erasures").fetchall()
        assert [(f, n) for f, n, _ in audit] == [("contact_email", sum(changed.values()))]
        assert "planted" not in audit[0][2].lower() and "hmac" not in audit[0][2]


RECORD = {"uniq_id": "a" * 32, "cursor": 1, "post_date": "2026-11-18", "contact_email": "Jane@Acme.com",
          "contact_phone_number": "555-0100-2030", "job_description": "Write to jane@acme.com.",
          "html_job_description": "<p>Write to jane@acme.com.</p>", "job_title": "Data Engineer"}


def land(conn: psycopg.Connection, policy: PersonalDataPolicy) -> None:
    apply_migrations(conn)
    loader = RawLoader(conn, query_key="pii", airflow_run_id="pii", policy=policy)
    reject = Rejected(1, "has no integer cursor", {**RECORD, "uniq_id": "b" * 32, "cursor": None})
    loader.load_batch([RECORD], post_date=date(2026, 11, 18), next_cursor=None, pages=1, byte_count=0, host="t",
                      rejected=[reject])
    loader.finish()


@pytest.mark.parametrize("action", ["hash", "drop", "keep"])
def test_each_action_holds_in_raw_and_the_rejects(action: str, warehouse: str) -> None:
    policy = PersonalDataPolicy(fields={"contact_email": action, "contact_phone_number": "hash"},
                                free_text_fields=POLICY.free_text_fields, key=b"test-key")
    with psycopg.connect(warehouse, autocommit=True) as conn:
        land(conn, policy)
        stored = [row[0] for row in conn.execute(
            "select payload -> 'contact_email' from raw.jobspikr_jobs"
            " union all select record -> 'contact_email' from raw.jobspikr_rejects")]
        clear = occurrences(conn, "jane@acme.com")
        if action == "keep":  # the search finds what is there
            assert stored == ["Jane@Acme.com"] * 2 and set(clear) == {"raw.jobspikr_jobs.payload",
                                                                      "raw.jobspikr_rejects.record"}
        else:
            assert clear == {}
            assert stored == ([policy.pseudonym("contact_email", "jane@acme.com")] * 2 if action == "hash"
                              else [None, None])
        assert occurrences(conn, "555-0100-2030") == {}


def test_dbts_policy_test_fails_on_a_clear_value_in_raw(warehouse: str) -> None:
    with psycopg.connect(warehouse, autocommit=True) as conn:
        land(conn, POLICY)
        select = ["test", "--select", "assert_raw_holds_no_personal_data_in_the_clear"]
        run_dbt(select, conn_id="warehouse_default")  # the loader's rows pass
        conn.execute("update raw.jobspikr_rejects set record = record || '{\"contact_email\": \"jane@acme.com\"}'")
        with pytest.raises(DbtError, match="assert_raw_holds_no_personal_data_in_the_clear"):
            run_dbt(select, conn_id="warehouse_default")


def test_retention_reduces_old_versions_once_in_raw_and_the_archive(warehouse: str) -> None:
    with psycopg.connect(warehouse, autocommit=True) as conn:
        land(conn, POLICY)
        loader = RawLoader(conn, query_key="pii-2", airflow_run_id="pii-2", policy=POLICY)
        loader.load_batch([{**RECORD, "uniq_id": "c" * 32, "cursor": 2}, {**RECORD, "uniq_id": "d" * 32, "cursor": 3}],
                          post_date=date(2026, 11, 18), next_cursor=None, pages=1, byte_count=0, host="t")
        loader.finish()
        old = "update raw.jobspikr_jobs set last_seen_at = now() - interval '400 days' where uniq_id = %s"
        conn.execute(old, ("c" * 32,))
        assert archive_stale_listings(conn, unseen_days=90, expired_grace_days=7) == 1  # c, to the archive
        conn.execute(old, ("a" * 32,))
        assert apply_retention(conn, POLICY) == {"raw.jobspikr_jobs": 1, "raw.jobspikr_jobs_archive": 1}
        assert apply_retention(conn, POLICY) == {"raw.jobspikr_jobs": 0, "raw.jobspikr_jobs_archive": 0}
        rows = dict(conn.execute("""
            select uniq_id, payload from raw.jobspikr_jobs union all
            select uniq_id, payload from raw.jobspikr_jobs_archive"""))
        for reduced in ("a" * 32, "c" * 32):
            assert not {"contact_email", "contact_phone_number", "job_description", "html_job_description"} \
                & set(rows[reduced]) and rows[reduced]["job_title"] == "Data Engineer"
        assert rows["d" * 32]["job_description"] == "Write to [contact_email]."  # recent: kept
