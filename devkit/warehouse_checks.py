"""Land adversarial JobsPikr pages and legacy rows into a real warehouse, build dbt, and check
what the warehouse promises about every record it was given.

Shared by the generative test (``test_warehouse_generative``) and its deterministic
regression batch (``test_warehouse_bad_values``), so both hold the warehouse to one list of
invariants:

- the build succeeds: no model error, no failing error-severity dbt test (each is reported by
  name with sample rows);
- accounting: every record sent is in exactly one of a job (``marts.job_listing_records``),
  the quarantine (with a rule) or the loader's rejects (with a reason); nothing vanishes;
- ``marts.job_listings``: salary_max >= salary_min; a salary period or currency only with an
  amount; the post date not after the job was first seen nor after a record's crawl; no NUL
  and no placeholder (``Unspecified``, ``NA``, ``Not specified``, ...) as a company, job type
  or city; a city names one place (JobsPikr joins several with ``|``);
- one job per located place: two records of one job are in the same place by the models' own
  rule (``macros/matching/same_place.sql``: cities agree or one extends the other, states
  agree, unless one of them is a remote job);
- ``marts.legacy_compatible_jobs`` serves ``job_listings`` one to one with the same title
  and post date (its salary read-back is the dbt test
  ``assert_legacy_compatible_jobs_serve_the_marts``, part of the build).

Records travel the production path: the page is JSON text (numbers such as ``1e400`` or
20-digit integers are written as the API would write them), decoded as the hook decodes it
(``jobspikr.decoding``), split into records and rejects by ``parse_page`` and landed by ``RawLoader``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import psycopg

from jobspikr.decoding import decode_body
from jobspikr.responses import parse_page
from jobspikr_pipeline.dbt import DBT_PROJECT_DIR, DbtError, build_args, run_dbt
from jobspikr_pipeline.project_vars import project_var
from jobspikr_pipeline.raw_loader import RawLoader
from jobspikr_pipeline.raw_schema import apply_raw_schema
from standin_api.legacy import write_legacy_rows

#: Placeholders JobsPikr sends for a missing value (../shared/docs/jobspikr-api.md): never a value in the marts.
PLACEHOLDERS = ("unspecified", "na", "n/a", "undefined", "not specified")
#: Schemas the warehouse keeps across examples; every other (dbt's) is dropped by ``reset``.
KEPT_SCHEMAS = ("raw", "public", "information_schema")


@dataclass(frozen=True)
class RawNumber:
    """A JSON number token written as is (``1e400``, ``99999999999999999999``, ``-0.0``):
    the API can send any of them, Python's own values cannot stand for all of them."""

    text: str

    def __repr__(self) -> str:
        return self.text


def to_json(value: Any) -> str:
    """``value`` as the JSON text a server would send; ``RawNumber`` tokens verbatim."""
    if isinstance(value, RawNumber):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{to_json(v)}"
                              for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


@dataclass
class Outcome:
    """What a build and the checks found; empty lists mean the warehouse kept every promise."""

    dbt_failures: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def report(self) -> str:
        parts = []
        if self.dbt_failures:
            parts.append("dbt build failed:\n  " + "\n  ".join(self.dbt_failures))
        if self.violations:
            parts.append("invariants broken:\n  " + "\n  ".join(self.violations))
        return "\n".join(parts)


def reset(conn: psycopg.Connection) -> None:
    """An empty warehouse for the next example: raw's tables emptied and every schema dbt
    built dropped (snapshots and incremental history included), so examples are independent
    and a failing example reproduces on its own while Hypothesis shrinks it."""
    apply_raw_schema(conn)
    schemas = [row[0] for row in conn.execute(
        "select nspname from pg_namespace where nspname <> all(%s) and nspname !~ '^pg_'", (list(KEPT_SCHEMAS),))]
    for schema in schemas:
        conn.execute(f'drop schema "{schema}" cascade')
    tables = [row[0] for row in conn.execute(
        "select quote_ident(schemaname) || '.' || quote_ident(tablename) from pg_tables"
        " where schemaname = 'raw' and tablename <> 'schema_migrations'")]
    conn.execute(f"truncate {', '.join(tables)} cascade")


def land(conn: psycopg.Connection, records: list[Any], legacy_rows: list[dict[str, Any]], *,
         post_date: date) -> int:
    """Send ``records`` as one API page through the decoder, ``parse_page`` and the loader,
    and write ``legacy_rows`` as the scraper does; return the load's id. A page the decoder
    refuses, or a batch the loader cannot land, raises: every record on it would be lost."""
    body = ('{"status": "success", "message": "Data present.", "job_data": [' + ",".join(
        to_json(r) for r in records) + "]}").encode()
    try:
        payload = decode_body(body)  # as jobspikr.hook._decode reads a response
    except ValueError as exc:
        raise AssertionError(f"the page cannot be decoded ({exc}): all {len(records)} records on it are lost, "
                             "and every retry fails the same way") from exc
    page = parse_page(payload, host="generative", requested_cursor=None)
    loader = RawLoader(conn, query_key="generative", airflow_run_id="generative")
    try:
        loader.land(loader.prepare(page.records), post_date=post_date, next_cursor=None, pages=1,
                    byte_count=len(body), host="generative", rejected=page.rejected)
    except Exception as exc:
        loader.ledger.finish(exc)
        raise
    loader.ledger.finish()
    if legacy_rows:
        with conn.transaction():
            write_legacy_rows(conn, legacy_rows)
    return loader.ledger.load_id


def build(conn: psycopg.Connection) -> list[str]:
    """``dbt build``; return its failures (models in error, error-severity tests failing),
    each with sample rows. When it fails, the models are run once more without tests so the
    marts exist and the other invariants can still be checked and reported together."""
    try:
        run_dbt(build_args(), conn_id="warehouse_default")
    except DbtError as exc:
        failures = _failed_nodes(conn) or [str(exc)]
        try:
            run_dbt(["run"], conn_id="warehouse_default")
        except DbtError:
            failures.extend(f"(models without tests) {f}" for f in _failed_nodes(conn))
        return failures
    return []


def _failed_nodes(conn: psycopg.Connection) -> list[str]:
    """The failing nodes of the last dbt invocation (``target/run_results.json``), a failing
    test with up to five of the rows it returned."""
    path = Path(DBT_PROJECT_DIR) / "target" / "run_results.json"
    if not path.exists():
        return []
    failed = []
    for result in json.loads(path.read_text())["results"]:
        if result["status"] not in ("error", "fail"):
            continue
        line = f"{result['unique_id']}: {result['status']}: {(result.get('message') or '').strip()[:600]}"
        code = result.get("compiled_code")
        if result["unique_id"].startswith("test.") and code and result["status"] == "fail":
            try:
                rows = conn.execute(f"select * from ({code}) as failing limit 5").fetchall()  # noqa: S608
                line += f"; rows: {rows}"
            except psycopg.Error as exc:
                line += f"; (rows unavailable: {exc})"
        failed.append(line)
    return failed


def _exists(conn: psycopg.Connection, relation: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (relation,)).fetchone()[0]


def _key_of(record: Any) -> str | None:
    uniq_id = record.get("uniq_id") if isinstance(record, dict) else None
    return uniq_id if isinstance(uniq_id, str) else None


def check(conn: psycopg.Connection, records: list[Any], legacy_rows: list[dict[str, Any]],
          load_id: int) -> list[str]:
    """Every invariant of the module's docstring; returns each violation with the input
    record(s) behind it (short reprs), so a failure names the value that broke it."""
    violations: list[str] = []
    for relation in ("marts.job_listing_records", "marts.job_listings", "quarantine.job_records_quarantine",
                     "marts.legacy_compatible_jobs", "intermediate.int_job_records__normalised"):
        if not _exists(conn, relation):
            violations.append(f"{relation} was not built: no invariant over it can be checked")
    if violations:
        return violations
    violations += _accounting(conn, records, legacy_rows, load_id)
    violations += _mart_invariants(conn, records, legacy_rows)
    return violations


def _short(value: Any, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def _accounting(conn: psycopg.Connection, records: list[Any], legacy_rows: list[dict[str, Any]],
                load_id: int) -> list[str]:
    listed = dict(conn.execute(
        "select source || ':' || source_record_id, count(*) from marts.job_listing_records group by 1"))
    quarantined = dict(conn.execute(
        "select source || ':' || source_record_id, string_agg(coalesce(quarantine_reason, '<null>'), ',')"
        " from quarantine.job_records_quarantine group by 1"))
    rejects = [(reason, record) for reason, record in conn.execute(
        "select reason, record from raw.jobspikr_rejects where load_id = %s", (load_id,))]
    violations = []
    for position, record in enumerate(records):
        rejected = [reason for reason, _ in rejects if f"job_data[{position}]" in (reason or "")]
        key = _key_of(record)
        places = []
        if rejected:
            places.append(f"rejects ({rejected[0][-80:]})")
        elif key is not None:
            if f"jobspikr:{key}" in listed:
                places.append(f"{listed[f'jobspikr:{key}']} job record(s)")
            if f"jobspikr:{key}" in quarantined:
                places.append(f"quarantine ({quarantined[f'jobspikr:{key}']})")
        if len(places) != 1:
            violations.append(f"JobsPikr record at job_data[{position}] is in {places or 'nowhere'}, "
                              f"not in exactly one place: {_short(record)}")
    for row in legacy_rows:
        key = f"legacy:{row['id']}"
        places = ([f"{listed[key]} job record(s)"] if key in listed else []) + (
            [f"quarantine ({quarantined[key]})"] if key in quarantined else [])
        if len(places) != 1:
            violations.append(f"legacy row {row['id']} is in {places or 'nowhere'}, not in exactly one place: "
                              f"{_short(row)}")
    for key, reasons in quarantined.items():
        if "<null>" in reasons:
            violations.append(f"{key} is quarantined without a rule")
    for reason, _ in rejects:
        if not (reason or "").strip():
            violations.append("a reject has no reason")
    return violations


def _inputs_of(conn: psycopg.Connection, job_ids: Iterable[str], records: list[Any],
               legacy_rows: list[dict[str, Any]]) -> str:
    """The input records behind the given jobs, for a violation's message."""
    keys = {row[0] for row in conn.execute(
        "select source || ':' || source_record_id from marts.job_listing_records where job_listing_id = any(%s)",
        (list(job_ids),))}
    inputs = [r for r in records if f"jobspikr:{_key_of(r)}" in keys]
    inputs += [r for r in legacy_rows if f"legacy:{r['id']}" in keys]
    return "; ".join(_short(r, 400) for r in inputs[:4])


#: (what must hold, query returning the job ids and values that break it)
_JOB_RULES: list[tuple[str, str]] = [
    ("salary_max >= salary_min",
     "select job_listing_id, salary_min, salary_max from marts.job_listings where salary_max < salary_min"),
    ("a salary period or currency only with an amount",
     "select job_listing_id, salary_period, salary_currency from marts.job_listings"
     " where salary_min is null and salary_max is null and (salary_period is not null or salary_currency is not null)"),
    ("post_date not after the job was first seen",
     "select job_listing_id, post_date, first_seen_at from marts.job_listings"
     " where post_date > (first_seen_at at time zone 'UTC')::date + 1"),
    ("post_date not more than post_date_grace_days after a record's crawl (docs/data-rules.md)",
     "select l.job_listing_id, l.post_date, min(j.crawl_timestamp) from marts.job_listings l"
     " join marts.job_listing_records r using (job_listing_id)"
     " join raw.jobspikr_jobs j on r.source = 'jobspikr' and j.uniq_id = r.source_record_id"
     " group by l.job_listing_id, l.post_date"
     " having l.post_date > (min(j.crawl_timestamp) at time zone 'UTC')::date + %(post_date_grace_days)s"),
    ("a salary text with a number that serves no salary says why (marts.job_record_field_issues)",
     "select a.job_listing_id, a.record_key, coalesce(l.salary_text, j.payload ->> 'salary_offered')"
     " from intermediate.int_job_records__assigned a"
     " left join raw.legacy_scraped_jobs l on a.source = 'legacy' and l.id::text = a.source_record_id"
     " left join raw.jobspikr_current_versions j on a.source = 'jobspikr' and j.uniq_id = a.source_record_id"
     " where a.salary_min is null and coalesce(l.salary_text, j.payload ->> 'salary_offered') ~ '[0-9]'"
     "   and not exists (select from marts.job_record_field_issues i"
     "                   where i.record_key = a.record_key and i.field = 'salary')"),
    ("no placeholder as company, job type or city",
     "select job_listing_id, company_name, job_type, city from marts.job_listings"
     " where lower(btrim(company_name)) = any(%(placeholders)s) or lower(btrim(job_type)) = any(%(placeholders)s)"
     " or lower(btrim(city)) = any(%(placeholders)s)"),
    ("a city names one place (not several joined by |)",
     "select job_listing_id, city from marts.job_listings where city like '%%|%%'"),
    ("two records of one job are in one place (same_place.sql: a multi-city record is in each of its"
     " cities), unless one is a remote job",
     "select a.job_listing_id, a.record_key, a.city_norm, a.state_code, b.record_key, b.city_norm, b.state_code"
     " from intermediate.int_job_records__assigned a"
     " join intermediate.int_job_records__assigned b"
     "   on a.job_listing_id = b.job_listing_id and a.record_key < b.record_key"
     " where not (a.is_remote_job or b.is_remote_job)"
     "   and not ((a.city_norm is null or b.city_norm is null or a.city_norm = b.city_norm"
     "             or a.city_norm like b.city_norm || ' %%' or b.city_norm like a.city_norm || ' %%'"
     "             or a.city_norms && b.city_norms)"
     "            and (a.state_code is null or b.state_code is null or a.state_code = b.state_code))"),
    ("legacy_compatible_jobs serves each job once, with its title and post date",
     "select coalesce(l.job_listing_id, c.id::text), l.title, c.title, l.post_date, c.posted_at"
     " from (select *, ('x' || left(job_listing_id, 15))::bit(60)::bigint as id from marts.job_listings) l"
     " full join marts.legacy_compatible_jobs c using (id)"
     " where l.job_listing_id is null or c.id is null or c.title is distinct from l.title"
     "    or c.posted_at is distinct from to_char(l.post_date, 'YYYY-MM-DD')"),
]


def _mart_invariants(conn: psycopg.Connection, records: list[Any], legacy_rows: list[dict[str, Any]]) -> list[str]:
    violations = []
    if not _exists(conn, "intermediate.int_job_records__assigned"):
        violations.append("intermediate.int_job_records__assigned was not built")
    for rule, query in _JOB_RULES:
        if "int_job_records__assigned" in query and violations:
            continue
        try:
            rows = conn.execute(query, {"placeholders": list(PLACEHOLDERS),
                                        "post_date_grace_days": project_var("post_date_grace_days")}).fetchall()
        except psycopg.Error as exc:
            violations.append(f"{rule}: the check itself failed: {exc}")
            continue
        for row in rows[:5]:
            behind = _inputs_of(conn, [row[0]], records, legacy_rows)
            violations.append(f"{rule}: broken by {_short(row)} from input {behind}")
        if len(rows) > 5:
            violations.append(f"{rule}: ... and {len(rows) - 5} more jobs")
    for row in conn.execute("select job_listing_id, title, company_name, job_type, city from marts.job_listings"):
        if any(isinstance(v, str) and "\x00" in v for v in row):
            violations.append(f"a NUL in job {_short(row)}")
    return violations


def land_build_check(conn: psycopg.Connection, records: list[Any], legacy_rows: list[dict[str, Any]], *,
                     post_date: date) -> Outcome:
    """One example: an empty warehouse, the page and rows landed, dbt built, every invariant
    checked."""
    reset(conn)
    load_id = land(conn, records, legacy_rows, post_date=post_date)
    outcome = Outcome(dbt_failures=build(conn))
    outcome.violations = check(conn, records, legacy_rows, load_id)
    return outcome
