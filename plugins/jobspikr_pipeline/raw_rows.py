"""The rows of ``raw.jobspikr_jobs``: a record's version, its COPY row, and how a batch of
rows is written (the table's columns and the version rule live here and nowhere else).

A record's version is the md5 of its canonical JSON (sorted keys) without the fields that
change on every re-crawl (``cursor``, ``crawl_timestamp``, ``latest_expiry_check_date``):
the same posting sent twice is skipped, a posting sent with changes becomes a new version.
It is computed here rather than in SQL: hashing the jsonb text in Postgres doubled the
merge's cost (bench/results/load.md).

Every record passes the personal data policy (``personal_data``) before its row is made,
so nothing written here (and nothing downstream) holds a contact value the policy does not
keep; the version hash is taken after it.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import orjson
import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from jobspikr.timestamps import parse_timestamp
from jobspikr_pipeline.personal_data import PersonalDataPolicy
from jobspikr_pipeline.postgres_text import NUL_ESCAPE, without_nul

log = logging.getLogger(__name__)

#: A record as the raw table stores it: uniq_id, version, cursor, crawl_timestamp, post_date, payload.
Row = tuple[str, str, int, datetime | None, date | None, Jsonb]
#: The columns of a ``Row``, then what the load adds: the columns of ``raw.jobspikr_jobs``
#: (and of ``raw.jobspikr_jobs_archive``, which adds ``archive_reason``).
ROW_COLUMNS = ("uniq_id", "record_hash", "cursor", "crawl_timestamp", "post_date", "payload")
JOBS_COLUMNS = (*ROW_COLUMNS, "load_id", "airflow_run_id", "fetched_at", "source_host", "last_seen_at")
_COLUMN_TYPES = ("text", "text", "int8", "timestamptz", "date", "jsonb", "int8", "text", "timestamptz", "text",
                 "timestamptz")

#: ``last_expiry_check_date`` is the older feeds' name for ``latest_expiry_check_date``.
_VOLATILE_KEYS = frozenset({"cursor", "crawl_timestamp", "latest_expiry_check_date", "last_expiry_check_date"})


def column_list(columns: Iterable[str]) -> sql.Composable:
    return sql.SQL(", ").join(map(sql.Identifier, columns))


#: The stored and archived versions of a batch's listings (both tables are keyed by uniq_id first).
_STORED_SQL = """
select uniq_id, record_hash, false from raw.jobspikr_jobs where uniq_id = any(%(ids)s::text[])
union all
select uniq_id, record_hash, true from raw.jobspikr_jobs_archive where uniq_id = any(%(ids)s::text[])
"""

#: New versions go straight into the raw table, in COPY's binary format (no text escaping
#: on either side).
_COPY_NEW_SQL = sql.SQL("copy raw.jobspikr_jobs ({}) from stdin (format binary)").format(column_list(JOBS_COLUMNS))

#: A stored version sent again is seen again, and becomes the current one again: it takes
#: the newest cursor (as ``_MERGE_SQL`` does).
_SEEN_AGAIN_SQL = """
update raw.jobspikr_jobs j
set last_seen_at = now(), cursor = greatest(j.cursor, seen.cursor)
from unnest(%(ids)s::text[], %(versions)s::text[], %(cursors)s::bigint[]) as seen (uniq_id, record_hash, cursor)
where j.uniq_id = seen.uniq_id and j.record_hash = seen.record_hash
"""

_MERGE_SQL = sql.SQL("""
with batch as (
    select distinct on (uniq_id, record_hash) *
    from pg_temp.incoming_jobs
    order by uniq_id, record_hash, cursor desc
),
inserted as (
    insert into raw.jobspikr_jobs ({jobs_columns})
    select {row_columns}, %(load_id)s, %(run_id)s, now(), %(host)s, now()
    from batch
    where not exists (select 1 from raw.jobspikr_jobs_archive a
                      where a.uniq_id = batch.uniq_id and a.record_hash = batch.record_hash)
    -- A re-sent version becomes the current one again: it takes the newest cursor.
    on conflict (uniq_id, record_hash) do update
        set last_seen_at = excluded.last_seen_at,
            cursor = greatest(raw.jobspikr_jobs.cursor, excluded.cursor)
    returning uniq_id, (xmax = 0) as is_new
)
select count(*) filter (where is_new) as inserted,
       count(*) filter (where is_new and exists (select 1 from raw.jobspikr_jobs j
                                                 where j.uniq_id = inserted.uniq_id)) as updated
from inserted
""").format(jobs_columns=column_list(JOBS_COLUMNS), row_columns=column_list(ROW_COLUMNS))


@dataclass
class Prepared:
    """Rows from ``prepare``, and how many of their records carried each field (named as
    JobsPikr sent it, before the personal data policy: the drift table says what the API
    sends, whatever the policy keeps). Travels with its rows to the landing, so a batch's
    field counts commit with exactly its rows."""

    rows: list[Row] = field(default_factory=list)
    fields: Counter[str] = field(default_factory=Counter)

    def extend(self, other: Prepared) -> None:
        self.rows.extend(other.rows)
        self.fields.update(other.fields)

    def __len__(self) -> int:
        return len(self.rows)


def prepare(records: Iterable[dict[str, Any]], policy: PersonalDataPolicy) -> Prepared:
    """The raw rows of ``records``: the personal data policy applied, the version hashed and
    the payload serialised once; and their fields counted. Done as pages arrive, so a batch
    waiting to land holds compact rows rather than parsed records."""
    prepared = Prepared()
    for record in records:
        prepared.fields.update(record.keys())
        prepared.rows.append(raw_row(policy.apply(record)))
    return prepared


def store(conn: psycopg.Connection, rows: list[Row], *, load_id: int, airflow_run_id: str | None,
          host: str) -> tuple[int, int]:
    """Store the versions not stored yet, mark the others seen again; return (inserted,
    inserted versions of listings stored before). Inside the caller's transaction.

    The batch's stored and archived versions are looked up first (by ``uniq_id``), so each
    new version is COPYed straight into ``raw.jobspikr_jobs`` in one pass: no temporary
    table, no second write of every payload. Another load (other filters, another lock) may
    store one of these versions between the look-up and the COPY; the COPY then fails on the
    key, and the batch is merged through a temporary table instead (``_merge``), which
    settles any race.
    """
    stored: set[tuple[str, str]] = set()
    archived: set[tuple[str, str]] = set()
    for uniq_id, version, in_archive in conn.execute(_STORED_SQL, {"ids": list({row[0] for row in rows})}):
        (archived if in_archive else stored).add((uniq_id, version))
    now = conn.execute("select now()").fetchone()[0]
    written: dict[tuple[str, str], int] = {}  # new versions and the cursor they were written with
    seen_again: dict[tuple[str, str], int] = {}  # versions stored before, or sent twice: newest cursor
    try:
        with conn.transaction(), conn.cursor() as cur, cur.copy(_COPY_NEW_SQL) as copy:
            copy.set_types(list(_COLUMN_TYPES))
            for row in rows:
                key, cursor = (row[0], row[1]), row[2]
                if key in archived:
                    continue
                if key in stored or key in written:
                    seen_again[key] = max(cursor, seen_again.get(key, cursor))
                    continue
                written[key] = cursor
                copy.write_row((*row, load_id, airflow_run_id, now, host, now))
    except psycopg.errors.UniqueViolation:
        log.info("JobsPikr load %d: a version was stored by another load meanwhile; merging the batch", load_id)
        return _merge(conn, rows, load_id=load_id, airflow_run_id=airflow_run_id, host=host)
    raised = {key: cursor for key, cursor in seen_again.items() if cursor > written.get(key, -1)}
    if raised:
        conn.execute(_SEEN_AGAIN_SQL, {"ids": [key[0] for key in raised], "versions": [key[1] for key in raised],
                                       "cursors": list(raised.values())})
    listed = {uniq_id for uniq_id, _ in stored}  # listings with a version in the hot table before
    return len(written), sum(1 for uniq_id, _ in written if uniq_id in listed)


def _merge(conn: psycopg.Connection, rows: Iterable[Row], *, load_id: int, airflow_run_id: str | None,
           host: str) -> tuple[int, int]:
    """The general way to store a batch: COPY into a temporary table, then insert what is new
    and mark the rest seen again in one statement (``_MERGE_SQL``); slower than ``store``'s
    direct COPY, but safe against anything another load wrote meanwhile."""
    conn.execute(sql.SQL("create temp table if not exists incoming_jobs as"
                         " select {} from raw.jobspikr_jobs with no data").format(column_list(ROW_COLUMNS)))
    conn.execute("truncate pg_temp.incoming_jobs")
    with conn.cursor() as cur, cur.copy(sql.SQL("copy pg_temp.incoming_jobs ({}) from stdin (format binary)")
                                        .format(column_list(ROW_COLUMNS))) as copy:
        copy.set_types(list(_COLUMN_TYPES[:len(ROW_COLUMNS)]))
        for row in rows:
            copy.write_row(row)
    inserted, updated = conn.execute(_MERGE_SQL, {"load_id": load_id, "run_id": airflow_run_id,
                                                  "host": host}).fetchone()
    return inserted, updated


def raw_row(record: dict[str, Any]) -> Row:
    """The COPY row of a record. The record is serialised once: the canonical content that is
    hashed, with the re-crawl fields added after it, is the payload (jsonb keeps no key order).
    A record with a NUL (which jsonb cannot hold) is cleaned and serialised again; the test for
    one is a search of the serialised bytes: all a clean record pays."""
    content, payload = _serialise(record)
    if NUL_ESCAPE in payload:
        record = without_nul(record)
        content, payload = _serialise(record)
    return (record["uniq_id"], hashlib.md5(content, usedforsecurity=False).hexdigest(), record["cursor"],
            parse_timestamp(record.get("crawl_timestamp")), _date(record.get("post_date")),
            Jsonb(payload, dumps=_as_is))


def _serialise(record: dict[str, Any]) -> tuple[bytes, bytes]:
    """The record's canonical content (hashed: sorted keys, no re-crawl fields) and its
    payload (stored: the content with the re-crawl fields added)."""
    content = orjson.dumps({k: v for k, v in record.items() if k not in _VOLATILE_KEYS}, option=orjson.OPT_SORT_KEYS)
    volatile = orjson.dumps({k: record[k] for k in _VOLATILE_KEYS if k in record})
    payload = volatile if content == b"{}" else content if volatile == b"{}" else content[:-1] + b"," + volatile[1:]
    return content, payload


def _as_is(payload: bytes) -> bytes:
    return payload


def _date(value: Any) -> date | None:
    return _parse_date(value) if isinstance(value, str) else None


@lru_cache(maxsize=4096)  # post dates repeat across a batch: parse each once
def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
