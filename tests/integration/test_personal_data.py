"""Personal data, searched for: known contact values planted in the API's records, a run,
then every table, the logs and the lineage events searched for them; retention; erasure."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg import sql

from devkit.contact_values import posting_texts
from devkit.dag_runs import run_ingest
from devkit.lineage import openlineage_emitting
from devkit.suite import TEST_ANCHOR, build, jobspikr_conn_json, land_records
from jobspikr.responses import Rejected
from jobspikr_pipeline.archive import archive_stale_listings
from jobspikr_pipeline.dbt import DbtError, run_dbt
from jobspikr_pipeline.personal_data import PersonalDataPolicy
from jobspikr_pipeline.personal_data_erasure import forget_and_rebuild
from jobspikr_pipeline.personal_data_retention import apply_retention
from jobspikr_pipeline.project_vars import project_var
from jobspikr_pipeline.raw_loader import RawLoader
from jobspikr_pipeline.raw_schema import apply_raw_schema
from standin_api import Catalogue, StandinConfig, StandinServer
from standin_api.legacy import LegacyScrape, write_legacy_rows

pytestmark = pytest.mark.integration

POLICY = PersonalDataPolicy.configured()


def planted_email(index: int) -> str:
    return f"Recruiter.{index}@planted-example.com"


def planted_phone(index: int) -> str:
    return f"+1 (555) 01{index:04d}"


def text_only_email(index: int) -> str:
    """A contact named only in a posting's text (no contact field names it)."""
    return f"hiring.desk.{index}@planted-example.org"


def text_only_phone(index: int) -> str:
    return f"(555) 020-{index:04d}"


def legacy_email(n: int) -> str:
    return f"Scraped.Recruiter.{n}@planted-example.net"


def legacy_phone(n: int) -> str:
    return f"555.030.{n:04d}"


@dataclass(frozen=True)
class PlantedCatalogue(Catalogue):
    """The stand-in's records, every seventh with a recruiter's email and phone, which its
    description repeats (as real postings do: "questions? write to ..."); every seventh
    from the third names another contact only in its title and description."""

    def record(self, index: int) -> dict[str, Any]:
        record = super().record(index)
        if index % 7 == 0:
            record["contact_email"], record["contact_phone_number"] = planted_email(index), planted_phone(index)
            record["job_description"] += f" Questions? Write to {planted_email(index)} or call {planted_phone(index)}."
        if index % 7 == 3:
            record["job_title"] += f" (apply: {text_only_email(index)})"
            record["job_description"] += f" Apply to {text_only_email(index)}, tel. {text_only_phone(index)}."
        return record


CATALOGUE = PlantedCatalogue(seed=7, size=300, anchor=TEST_ANCHOR, days=5)
PLANTED = [i for i in range(CATALOGUE.size) if i % 7 == 0]
TEXT_ONLY = [i for i in range(CATALOGUE.size) if i % 7 == 3]
LEGACY = LegacyScrape(Catalogue(seed=7, size=300, anchor=TEST_ANCHOR, days=5), size=60)
LEGACY_PLANTED = list(range(0, LEGACY.size, 5))


def legacy_rows() -> list[dict[str, Any]]:
    """The scraper's rows, every fifth naming a recruiter in its description (and every
    tenth in its title too)."""
    rows = LEGACY.rows()
    for n in LEGACY_PLANTED:
        rows[n]["description_html"] += f"<p>Contact {legacy_email(n)} or {legacy_phone(n)}.</p>"
        if n % 10 == 0:
            rows[n]["title"] += f" - {legacy_email(n)}"
    return rows


def planted_values() -> list[str]:
    return [*(v for i in PLANTED for v in (planted_email(i), planted_phone(i))),
            *(v for i in TEXT_ONLY for v in (text_only_email(i), text_only_phone(i))),
            *(v for n in LEGACY_PLANTED for v in (legacy_email(n), legacy_phone(n)))]


def occurrences(conn: psycopg.Connection, needle: str) -> dict[str, int]:
    """Every table column (text or JSON) holding ``needle`` in any case: ``schema.table.column``: rows."""
    return occurrences_of(conn, [needle])[needle]


def occurrences_of(conn: psycopg.Connection, needles: list[str]) -> dict[str, dict[str, int]]:
    """``occurrences`` of each needle, reading each column once for all of them (a query per
    needle and column was tens of thousands of queries)."""
    found: dict[str, dict[str, int]] = {needle: {} for needle in needles}
    columns = conn.execute("""
        select c.table_schema, c.table_name, c.column_name from information_schema.columns c
        join information_schema.tables t using (table_schema, table_name)
        where t.table_type = 'BASE TABLE' and c.table_schema not in ('pg_catalog', 'information_schema')
          and c.data_type in ('text', 'character varying', 'jsonb', 'json')""").fetchall()
    for schema, table, column in columns:
        query = sql.SQL("select n.needle, count(*) from {}.{} as t cross join unnest(%s::text[]) as n(needle)"
                        " where t.{}::text ilike '%%' || n.needle || '%%' group by n.needle").format(
            sql.Identifier(schema), sql.Identifier(table), sql.Identifier(column))
        for needle, rows in conn.execute(query, (needles,)):
            found[needle][f"{schema}.{table}.{column}"] = rows
    return found


def in_the_clear(conn: psycopg.Connection, values: list[str]) -> dict[str, dict[str, int]]:
    """For each value, its ``occurrences`` as written, and of a phone number's digits, outside
    the scraper's own table (which is not ours to change)."""
    needles = {value: [value] if "@" in value else [value, re.sub(r"\D", "", value)] for value in values}
    found = occurrences_of(conn, sorted({needle for forms in needles.values() for needle in forms}))
    return {value: {where: rows for needle in forms for where, rows in found[needle].items()
                    if not where.startswith("raw.legacy_scraped_jobs.")}
            for value, forms in needles.items()}


@pytest.mark.slow("a DAG run, a dbt build and an erasure's rebuild; every planted value searched for in every table")
def test_a_run_under_the_default_policy_leaves_no_contact_value_anywhere_and_forget_erases_one_person(
        airflow_db: None, warehouse: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with psycopg.connect(warehouse, autocommit=True) as conn, conn.transaction():
        apply_raw_schema(conn)
        write_legacy_rows(conn, legacy_rows())
    with StandinServer(StandinConfig(catalogue=CATALOGUE)) as server:
        monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", jobspikr_conn_json(server))
        with openlineage_emitting() as lineage:
            lineage_before = lineage.stat().st_size if lineage.exists() else 0
            assert run_ingest(datetime(2026, 11, 20, 3, tzinfo=UTC), conf={"backfill_days": 6}) == "success"
    lineage_events = lineage.read_bytes()[lineage_before:].decode().lower()
    assert '"eventtype": "complete"' in lineage_events   # the events were written, so their check means something

    with psycopg.connect(warehouse, autocommit=True) as conn:
        clear = in_the_clear(conn, planted_values())
        assert {value: where for value, where in clear.items() if where} == {}
        for value in planted_values():
            assert value.lower() not in caplog.text.lower() and value.lower() not in lineage_events
        assert lineage_events  # the search above read real events
        # The scraper's own table keeps what it wrote; past staging, its text holds markers.
        assert occurrences(conn, legacy_email(0)) == {"raw.legacy_scraped_jobs.title": 1,
                                                      "raw.legacy_scraped_jobs.description_html": 1}
        marked = conn.execute("select count(*) from snapshots.legacy_jobs_snapshot where description ilike"
                              " '%contact [email removed] or [phone removed].%'").fetchone()[0]
        assert marked == len(LEGACY_PLANTED)
        # What JobsPikr's records keep instead: one pseudonym per person, in the contact field
        # and wherever the text named them, so contacts can still be counted and joined.
        pseudonyms = conn.execute("select count(distinct payload ->> 'contact_email') from raw.jobspikr_jobs"
                                  " where payload ->> 'contact_email' like 'hmac:%'").fetchone()[0]
        assert pseudonyms == len(PLANTED)
        for index, field, value in ((PLANTED[1], "job_description", planted_phone(PLANTED[1])),
                                    (TEXT_ONLY[1], "job_title", text_only_email(TEXT_ONLY[1]))):
            texts = conn.execute(sql.SQL("select count(*) from raw.jobspikr_jobs where strpos(payload ->> {}, %s) > 0"
                                         ).format(sql.Literal(field)),
                                 (POLICY.pseudonym("contact_phone_number" if "@" not in value else "contact_email",
                                                   value),)).fetchone()[0]
            assert texts >= 1, (index, field)

        # The legacy scraper's copy of one posting names a JobsPikr recruiter in the clear.
        person = PLANTED[1]
        legacy = LegacyScrape(Catalogue(seed=7, size=300, anchor=TEST_ANCHOR, days=5), size=1).rows()[0]
        legacy |= {"id": 10_000, "description_html": f"<p>Write to {planted_email(person)}.</p>"}
        with conn.transaction():
            write_legacy_rows(conn, [legacy])
        build()  # as the next run builds: without dbt's unit tests
        assert occurrences(conn, planted_email(person)) == {"raw.legacy_scraped_jobs.description_html": 1}
        pseudonym = POLICY.pseudonym("contact_email", planted_email(person))
        assert "snapshots.jobspikr_jobs_snapshot.description" in occurrences(conn, pseudonym)
        records_before = conn.execute("select count(*) from marts.job_listing_records").fetchone()[0]

        changed = forget_and_rebuild(conn, POLICY, field_name="contact_email", value=planted_email(person).upper(),
                                     conn_id="warehouse_default")
        assert changed["raw.jobspikr_jobs"] >= 1 and changed["raw.legacy_scraped_jobs"] == 1
        assert changed["snapshots.jobspikr_jobs_snapshot"] >= 1  # its text held the pseudonym
        assert occurrences(conn, planted_email(person)) == {}
        assert occurrences(conn, pseudonym) == {}
        # nobody else was touched, nothing was lost, and the rebuild passed the marts' tests
        assert conn.execute("select count(*) from raw.jobspikr_jobs where payload ->> 'contact_email' like 'hmac:%'"
                            ).fetchone()[0] >= len(PLANTED) - 1
        assert conn.execute("select count(*) from marts.job_listing_records").fetchone()[0] == records_before
        audit = conn.execute("select field_name, rows_changed, tables::text from raw.personal_data_erasures").fetchall()
        assert [(f, n) for f, n, _ in audit] == [("contact_email", sum(changed.values()))]
        assert "planted" not in audit[0][2].lower() and "hmac" not in audit[0][2]

        # Retention reaches the history: versions captured over retention_days ago lose their text.
        aged = conn.execute("update snapshots.legacy_jobs_snapshot set dbt_updated_at = dbt_updated_at"
                            " - interval '400 days' where source_record_id::int <= 10").rowcount
        reduced = apply_retention(conn, POLICY)
        assert reduced["snapshots.legacy_jobs_snapshot"] == aged == 10
        assert reduced["snapshots.jobspikr_jobs_snapshot"] == 0  # (the served listings' history holds no text)
        # every table holding snapshot rows: the snapshots, and the audit copies a failing test
        # on a snapshot would keep (empty here: the tests passed)
        assert {t for t in reduced if not t.startswith("audit.")} == {
            "raw.jobspikr_jobs", "raw.jobspikr_jobs_archive", "snapshots.jobspikr_jobs_snapshot",
            "snapshots.legacy_jobs_snapshot"}
        assert {t for t in reduced if t.startswith("audit.")} and not any(
            n for t, n in reduced.items() if t.startswith("audit."))
        assert conn.execute("select count(*) from snapshots.legacy_jobs_snapshot where description is null"
                            " and source_record_id::int <= 10").fetchone()[0] == 10
        assert apply_retention(conn, POLICY)["snapshots.legacy_jobs_snapshot"] == 0


RECORD = {"uniq_id": "a" * 32, "cursor": 1, "post_date": "2026-11-18", "contact_email": "Jane@Acme.com",
          "contact_phone_number": "555-0100-2030", "job_description": "Write to jane@acme.com.",
          "html_job_description": "<p>Write to jane@acme.com.</p>", "job_title": "Data Engineer"}


def land(conn: psycopg.Connection, policy: PersonalDataPolicy) -> None:
    apply_raw_schema(conn)
    loader = RawLoader(conn, query_key="pii", airflow_run_id="pii", policy=policy)
    reject = Rejected(1, "has no integer cursor", {**RECORD, "uniq_id": "b" * 32, "cursor": None})
    land_records(loader, [RECORD], post_date=date(2026, 11, 18), rejected=[reject])
    loader.ledger.finish()


@pytest.mark.parametrize("action", ["hash", "drop", "keep"])
def test_each_action_holds_in_raw_and_the_rejects(action: str, warehouse: str) -> None:
    policy = replace(POLICY, fields={"contact_email": action, "contact_phone_number": "hash"}, key=b"test-key")
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
        land_records(loader, [{**RECORD, "uniq_id": "c" * 32, "cursor": 2}, {**RECORD, "uniq_id": "d" * 32,
                                                                                "cursor": 3}],
                     post_date=date(2026, 11, 18))
        loader.ledger.finish()
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
        assert rows["d" * 32]["job_description"] == \
            f"Write to {POLICY.pseudonym('contact_email', 'jane@acme.com')}."  # recent: kept


@pytest.mark.parametrize("fields", [
    {"contact_email": "hash", "contact_phone_number": "hash"},  # the configured policy
    {"contact_email": "keep", "contact_phone_number": "drop"},
])
def test_sql_scrubs_the_scrapers_text_as_the_loader_scrubs_jobspikrs(fields: dict[str, str], warehouse: str) -> None:
    """The legacy staging model's macro and the loader read the same patterns: on the same
    generated texts they find the same values and keep the same ones (SQL removes a hashed
    value: the key never enters SQL, so it matches the loader under drop)."""
    policy_var = {**project_var("personal_data"), "fields": fields}
    compiled = json.loads(run_dbt(["compile", "--quiet", "--output", "json", "--vars",
                                   json.dumps({"personal_data": policy_var}), "--inline",
                                   "select id, {{ scrub_personal_data('text') }} from samples order by id"],
                                  conn_id="warehouse_default"))["compiled"]
    in_sql = PersonalDataPolicy(fields={name: "drop" if act == "hash" else act for name, act in fields.items()},
                                in_text=POLICY.in_text)
    with psycopg.connect(warehouse, autocommit=True) as conn:
        conn.execute("create temporary table samples (id int, text text)")

        @settings(max_examples=200, deadline=None, database=None)
        @given(st.lists(posting_texts, min_size=1, max_size=20))
        def scrubbed_alike(texts: list[str]) -> None:
            conn.execute("truncate samples")
            with conn.cursor() as cursor:
                cursor.executemany("insert into samples values (%s, %s)", list(enumerate(texts)))
            assert [text for _, text in conn.execute(compiled)] == [in_sql.scrub(text) for text in texts]

        scrubbed_alike()
