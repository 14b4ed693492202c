"""Bulk, idempotent loading of JobsPikr records into ``raw.jobspikr_jobs``.

Each batch is one transaction: look up which of its versions are stored already, ``COPY``
the new ones into the raw table, mark the others seen again, move the stream's watermark
and add to the load log. Either all of that commits or none of it does, so a worker killed
mid-batch leaves the watermark at the last batch that fully landed and the next run fetches
exactly what is missing.

A record's version is the md5 of its canonical JSON (sorted keys) without the fields that
change on every re-crawl (``cursor``, ``crawl_timestamp``, ``latest_expiry_check_date``):
the same posting sent twice is skipped, a posting sent with changes becomes a new version.
It is computed here rather than in SQL: hashing the jsonb text in Postgres doubled the
merge's cost (see bench/results).

Each batch also counts the fields its records carry (``raw.jobspikr_load_fields``, read
through the ``raw.jobspikr_fields_seen`` view): a field JobsPikr starts sending is named in
the load's summary and log the day it first lands (``new_fields``), while the payload keeps
it like any other.

Every record and reject passes the personal data policy (``personal_data``) first, so
nothing written here (and nothing downstream) holds a contact value the policy does not
keep; the version hash is taken after it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import orjson
import psycopg
from psycopg.types.json import Jsonb

from jobspikr.responses import Rejected
from jobspikr.timestamps import parse_timestamp
from jobspikr_pipeline.personal_data import PersonalDataPolicy
from jobspikr_pipeline.postgres_text import NUL_ESCAPE, without_nul

log = logging.getLogger(__name__)

#: A record as the raw table stores it: uniq_id, version, cursor, crawl_timestamp, post_date, payload.
Row = tuple[str, str, int, datetime | None, date | None, Jsonb]

#: ``last_expiry_check_date`` is the older feeds' name for ``latest_expiry_check_date``.
_VOLATILE_KEYS = frozenset({"cursor", "crawl_timestamp", "latest_expiry_check_date", "last_expiry_check_date"})
#: First key of the advisory lock that serialises loads of one set of filters.
_LOCK_NAMESPACE = 7_114_202

_MERGE_SQL = """
with batch as (
    select distinct on (uniq_id, record_hash) *
    from pg_temp.incoming_jobs
    order by uniq_id, record_hash, cursor desc
),
inserted as (
    insert into raw.jobspikr_jobs (uniq_id, record_hash, cursor, crawl_timestamp, post_date, payload,
                                   load_id, airflow_run_id, fetched_at, source_host, last_seen_at)
    select uniq_id, record_hash, cursor, crawl_timestamp, post_date, payload,
           %(load_id)s, %(run_id)s, now(), %(host)s, now()
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
"""


#: The stored and archived versions of a batch's listings (both tables are keyed by uniq_id first).
_STORED_SQL = """
select uniq_id, record_hash, false from raw.jobspikr_jobs where uniq_id = any(%(ids)s::text[])
union all
select uniq_id, record_hash, true from raw.jobspikr_jobs_archive where uniq_id = any(%(ids)s::text[])
"""

#: New versions go straight into the raw table, in COPY's binary format (no text escaping
#: on either side).
_COPY_NEW_SQL = """
copy raw.jobspikr_jobs (uniq_id, record_hash, cursor, crawl_timestamp, post_date, payload,
                        load_id, airflow_run_id, fetched_at, source_host, last_seen_at)
from stdin (format binary)
"""
_COPY_NEW_TYPES = ["text", "text", "int8", "timestamptz", "date", "jsonb", "int8", "text", "timestamptz", "text",
                   "timestamptz"]

#: A stored version sent again is seen again, and becomes the current one again: it takes
#: the newest cursor (as ``_MERGE_SQL`` does).
_SEEN_AGAIN_SQL = """
update raw.jobspikr_jobs j
set last_seen_at = now(), cursor = greatest(j.cursor, seen.cursor)
from unnest(%(ids)s::text[], %(versions)s::text[], %(cursors)s::bigint[]) as seen (uniq_id, record_hash, cursor)
where j.uniq_id = seen.uniq_id and j.record_hash = seen.record_hash
"""

_RECEIVED_SQL = """
with received as (
    insert into raw.jobspikr_window_records (query_key, post_date, record_key)
    select %(query_key)s, %(post_date)s, key from unnest(%(keys)s::text[]) as key
    on conflict do nothing
    returning 1
)
insert into raw.jobspikr_windows (query_key, post_date, received_count, load_id)
select %(query_key)s, %(post_date)s, count(*), %(load_id)s from received
on conflict (query_key, post_date) do update
    set received_count = raw.jobspikr_windows.received_count + excluded.received_count,
        load_id = excluded.load_id
"""


#: A batch's field counts, added to its load's (one statement: the load's own rows only).
_FIELDS_SQL = """
insert into raw.jobspikr_load_fields (load_id, field, records)
select %(load_id)s, field, records from unnest(%(fields)s::text[], %(records)s::bigint[]) as f (field, records)
on conflict (load_id, field) do update
    set records = raw.jobspikr_load_fields.records + excluded.records, last_seen_at = excluded.last_seen_at
"""

#: Fields this load saw before any other did, with their share of its records: on a
#: warehouse's first counted load only those outside the documented 42 (all are new then).
_NEW_FIELDS_SQL = """
select s.field, f.records::float8 / nullif(l.records_received - l.rejected, 0) as share
from raw.jobspikr_fields_seen s
join raw.jobspikr_load_fields f on f.load_id = s.first_seen_load_id and f.field = s.field
join raw.jobspikr_load_log l on l.load_id = f.load_id
where s.first_seen_load_id = %(load_id)s
  and (not s.documented
       or exists (select from raw.jobspikr_load_fields e where e.load_id < %(load_id)s))
order by share desc, s.field
"""


@dataclass
class Prepared:
    """Rows from ``RawLoader.prepare``, and how many of their records carried each field
    (named as JobsPikr sent it, before the personal data policy: the drift table says what
    the API sends, whatever the policy keeps). Travels with its rows to ``land``, so a
    batch's field counts commit with exactly its rows."""

    rows: list[Row] = field(default_factory=list)
    fields: Counter[str] = field(default_factory=Counter)

    def extend(self, other: Prepared) -> None:
        self.rows.extend(other.rows)
        self.fields.update(other.fields)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class NewField:
    """A field first seen in this load, and the share of the load's records carrying it."""

    name: str
    share: float

    def describe(self) -> str:
        return f"{self.name} (first seen this run, {self.share:.0%} of records)"


@dataclass(frozen=True)
class WindowStart:
    """Where a window's stream starts: its watermark and what it has received so far; a
    window that ended short starts again from the beginning (``cursor`` None, nothing known)."""

    cursor: int | None
    received: int


@dataclass(frozen=True)
class WindowCheck:
    """A window's reconciliation: the distinct records stored against the API's count."""

    post_date: date
    expected: int | None
    received: int
    pages: int

    @property
    def complete(self) -> bool | None:
        """True when every record the API counts was received; None when it sent no count."""
        return None if self.expected is None else self.received >= self.expected

    def describe(self) -> str:
        expected = "an unknown number (no total_count)" if self.expected is None else self.expected
        return f"{self.post_date}: received {self.received} of {expected}"


@dataclass
class LoadCounts:
    """What one load did; the same numbers land in ``raw.jobspikr_load_log``."""

    pages: int = 0
    records_received: int = 0
    inserted: int = 0
    updated: int = 0
    duplicates_skipped: int = 0
    rejected: int = 0
    bytes: int = 0

    def add(self, other: LoadCounts) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)


class RawLoader:
    """One load (one task run) into the raw table, with its load-log row."""

    def __init__(self, conn: psycopg.Connection, *, query_key: str, airflow_run_id: str | None,
                 policy: PersonalDataPolicy | None = None) -> None:
        self.policy = policy or PersonalDataPolicy.configured()
        self.conn = conn
        self.query_key = query_key
        self.airflow_run_id = airflow_run_id
        self.counts = LoadCounts()
        self._started = time.monotonic()
        # One load per set of filters at a time: a second concurrent run waits here rather
        # than racing the first for the same watermarks. Released when the session ends,
        # so a killed worker never leaves it held.
        conn.execute("select pg_advisory_lock(%s, hashtext(%s))", (_LOCK_NAMESPACE, query_key))
        with conn.transaction():
            conn.execute(
                "update raw.jobspikr_load_log set status = 'failed', finished_at = now(),"
                " error = 'abandoned: the worker stopped before the load finished'"
                " where query_key = %s and status = 'running'", (query_key,))
            self.load_id: int = conn.execute(
                "insert into raw.jobspikr_load_log (airflow_run_id, query_key) values (%s, %s)"
                " returning load_id", (airflow_run_id, query_key)).fetchone()[0]

    def has_loaded_before(self) -> bool:
        """Whether an earlier load of these filters succeeded (else this one backfills)."""
        row = self.conn.execute(
            "select exists (select 1 from raw.jobspikr_load_log where query_key = %s"
            " and status = 'succeeded' and load_id <> %s)", (self.query_key, self.load_id)).fetchone()
        return bool(row and row[0])

    def newest_watermark_day(self) -> date | None:
        """The newest post date these filters have landed anything for: the days after it
        have never been fetched (days land in order), whatever the look-back."""
        row = self.conn.execute("select max(post_date) from raw.jobspikr_watermarks where query_key = %s",
                                (self.query_key,)).fetchone()
        return row[0] if row else None

    def short_days(self) -> list[date]:
        """Windows a past load found short: the next load fetches them again, from their start."""
        rows = self.conn.execute("select post_date from raw.jobspikr_windows where query_key = %s"
                                 " and complete = false order by post_date", (self.query_key,))
        return [row[0] for row in rows]

    def window_starts(self, days: Sequence[date]) -> dict[date, WindowStart]:
        """Each day's stream start: from the watermark, or from the beginning if it was short."""
        rows = self.conn.execute(
            "select d.day, w.next_cursor, coalesce(s.received_count, 0), coalesce(s.complete = false, false)"
            " from unnest(%s::date[]) as d(day)"
            " left join raw.jobspikr_watermarks w on w.query_key = %s and w.post_date = d.day"
            " left join raw.jobspikr_windows s on s.query_key = %s and s.post_date = d.day",
            (list(days), self.query_key, self.query_key)).fetchall()
        starts = {day: WindowStart(None, 0) if short else WindowStart(cursor, received)
                  for day, cursor, received, short in rows}
        return {day: starts[day] for day in days}

    def reconcile(self, post_date: date, *, expected: int | None, pages: int, pass_number: int,
                  from_cursor: int | None, end_signal: str) -> WindowCheck:
        """Check the window's stored records against the API's count and record the result
        (the window's state, and a row of this load's per-window log)."""
        with self.conn.transaction():
            row = self.conn.execute(
                "select received_count from raw.jobspikr_windows where query_key = %s and post_date = %s",
                (self.query_key, post_date)).fetchone()
            check = WindowCheck(post_date, expected, row[0] if row else 0, pages)
            self.conn.execute(
                "insert into raw.jobspikr_windows (query_key, post_date, expected_count, complete, checked_at,"
                " load_id) values (%s, %s, %s, %s, now(), %s) on conflict (query_key, post_date) do update"
                " set expected_count = excluded.expected_count, complete = excluded.complete,"
                " checked_at = excluded.checked_at, load_id = excluded.load_id",
                (self.query_key, post_date, expected, check.complete, self.load_id))
            self.conn.execute(
                "insert into raw.jobspikr_load_windows (load_id, post_date, pass, from_cursor, pages,"
                " expected_count, received_count, complete, end_signal) values (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " on conflict (load_id, post_date, pass) do update set pages = excluded.pages,"
                " expected_count = excluded.expected_count, received_count = excluded.received_count,"
                " complete = excluded.complete, end_signal = excluded.end_signal, checked_at = now()",
                (self.load_id, post_date, pass_number, from_cursor, pages, expected, check.received,
                 check.complete, end_signal))
        return check

    def record_outcome(self, checks: Sequence[WindowCheck]) -> None:
        """The load's final reconciliation, in its load-log row."""
        short = sum(1 for check in checks if check.complete is not True)
        self.conn.execute("update raw.jobspikr_load_log set windows_checked = %s, windows_short = %s"
                          " where load_id = %s", (len(checks), short, self.load_id))

    def prepare(self, records: Iterable[dict[str, Any]]) -> Prepared:
        """The raw rows of ``records``: the personal data policy applied, the version hashed
        and the payload serialised once; and their fields counted. Done as pages arrive, so a
        batch waiting to land holds compact rows rather than parsed records, while the batch
        before it is written."""
        prepared = Prepared()
        for record in records:
            prepared.fields.update(record.keys())
            prepared.rows.append(_copy_row(self.policy.apply(record)))
        return prepared

    def load_batch(self, records: list[dict[str, Any]], *, post_date: date, next_cursor: int | None,
                   pages: int, byte_count: int, host: str, rejected: Sequence[Rejected] = ()) -> LoadCounts:
        """``prepare`` and ``land`` parsed records in one call (for callers that hold a whole
        batch of them; the extract prepares each page as it arrives)."""
        return self.land(self.prepare(records), post_date=post_date, next_cursor=next_cursor, pages=pages,
                         byte_count=byte_count, host=host, rejected=rejected)

    def land(self, prepared: Prepared, *, post_date: date, next_cursor: int | None,
             pages: int, byte_count: int, host: str, rejected: Sequence[Rejected] = ()) -> LoadCounts:
        """Land ``prepared`` (from ``prepare``), keep ``rejected`` with their reasons, move the
        (filters, post_date) watermark to ``next_cursor`` and add the batch's field counts:
        all in one transaction."""
        rows = prepared.rows
        batch = LoadCounts(pages=pages, records_received=len(rows) + len(rejected), bytes=byte_count,
                           rejected=len(rejected))
        # Rejects are rare: each is cleaned of NULs (jsonb and text hold none) without a test first.
        rejected = [Rejected(r.position, without_nul(r.reason), without_nul(
            self.policy.apply(r.record) if isinstance(r.record, dict) else r.record)) for r in rejected]
        keys = [row[0] for row in rows] + [_reject_key(r) for r in rejected]  # the policy keeps ids
        with self.conn.transaction():
            self.conn.execute(_RECEIVED_SQL, {"query_key": self.query_key, "post_date": post_date,
                                              "keys": keys, "load_id": self.load_id})
            if rejected:
                with self.conn.cursor() as cur:
                    cur.executemany(
                        "insert into raw.jobspikr_rejects (load_id, post_date, reason, record)"
                        " values (%s, %s, %s, %s)",
                        [(self.load_id, post_date, r.reason, Jsonb(r.record)) for r in rejected])
            if rows:
                batch.inserted, batch.updated = self._store(rows, host)
                batch.duplicates_skipped = len(rows) - batch.inserted
            if next_cursor is not None:
                self.conn.execute(
                    "insert into raw.jobspikr_watermarks (query_key, post_date, next_cursor, load_id)"
                    " values (%s, %s, %s, %s) on conflict (query_key, post_date) do update"
                    " set next_cursor = greatest(raw.jobspikr_watermarks.next_cursor, excluded.next_cursor),"
                    " load_id = excluded.load_id, updated_at = now()",
                    (self.query_key, post_date, next_cursor, self.load_id))
            self.conn.execute(
                "update raw.jobspikr_load_log set pages = pages + %s, records_received = records_received + %s,"
                " inserted = inserted + %s, updated = updated + %s, duplicates_skipped = duplicates_skipped + %s,"
                " rejected = rejected + %s, bytes = bytes + %s, source_host = %s where load_id = %s",
                (batch.pages, batch.records_received, batch.inserted, batch.updated,
                 batch.duplicates_skipped, batch.rejected, batch.bytes, host, self.load_id))
            if prepared.fields:
                fields = _storable_names(prepared.fields)
                names = sorted(fields)
                self.conn.execute(_FIELDS_SQL, {"load_id": self.load_id, "fields": names,
                                                "records": [fields[name] for name in names]})
        self.counts.add(batch)
        return batch

    def _store(self, rows: list[Row], host: str) -> tuple[int, int]:
        """Store the versions not stored yet, mark the others seen again; return (inserted,
        inserted versions of listings stored before). Inside the batch's transaction.

        The batch's stored and archived versions are looked up first (by ``uniq_id``), so
        each new version is COPYed straight into ``raw.jobspikr_jobs`` in one pass: no
        temporary table, no second write of every payload. Another load (other filters,
        another lock) may store one of these versions between the look-up and the COPY; the
        COPY then fails on the key, and the batch is merged through a temporary table instead
        (``_merge``), which settles any race.
        """
        stored: set[tuple[str, str]] = set()
        archived: set[tuple[str, str]] = set()
        for uniq_id, version, in_archive in self.conn.execute(
                _STORED_SQL, {"ids": list({row[0] for row in rows})}):
            (archived if in_archive else stored).add((uniq_id, version))
        now = self.conn.execute("select now()").fetchone()[0]
        written: dict[tuple[str, str], int] = {}  # new versions and the cursor they were written with
        seen_again: dict[tuple[str, str], int] = {}  # versions stored before, or sent twice: newest cursor
        try:
            with self.conn.transaction(), self.conn.cursor() as cur, cur.copy(_COPY_NEW_SQL) as copy:
                copy.set_types(_COPY_NEW_TYPES)
                for row in rows:
                    key, cursor = (row[0], row[1]), row[2]
                    if key in archived:
                        continue
                    if key in stored or key in written:
                        seen_again[key] = max(cursor, seen_again.get(key, cursor))
                        continue
                    written[key] = cursor
                    copy.write_row((*row, self.load_id, self.airflow_run_id, now, host, now))
        except psycopg.errors.UniqueViolation:
            log.info("JobsPikr load %d: a version was stored by another load meanwhile; merging the batch",
                     self.load_id)
            return self._merge(rows, host)
        raised = {key: cursor for key, cursor in seen_again.items() if cursor > written.get(key, -1)}
        if raised:
            self.conn.execute(_SEEN_AGAIN_SQL, {"ids": [key[0] for key in raised],
                                                "versions": [key[1] for key in raised],
                                                "cursors": list(raised.values())})
        listed = {uniq_id for uniq_id, _ in stored}  # listings with a version in the hot table before
        return len(written), sum(1 for uniq_id, _ in written if uniq_id in listed)

    def _merge(self, rows: Iterable[tuple[Any, ...]], host: str) -> tuple[int, int]:
        """The general way to store a batch: COPY into a temporary table, then insert what is
        new and mark the rest seen again in one statement (``_MERGE_SQL``); slower than
        ``_store``'s direct COPY, but safe against anything another load wrote meanwhile."""
        self.conn.execute("create temp table if not exists incoming_jobs (uniq_id text, record_hash text,"
                          " cursor bigint, crawl_timestamp timestamptz, post_date date, payload jsonb)")
        self.conn.execute("truncate pg_temp.incoming_jobs")
        with self.conn.cursor() as cur, cur.copy(
                "copy pg_temp.incoming_jobs (uniq_id, record_hash, cursor, crawl_timestamp, post_date, payload)"
                " from stdin (format binary)") as copy:
            copy.set_types(_COPY_NEW_TYPES[:6])
            for row in rows:
                copy.write_row(row)
        inserted, updated = self.conn.execute(_MERGE_SQL, {
            "load_id": self.load_id, "run_id": self.airflow_run_id, "host": host}).fetchone()
        return inserted, updated

    def new_fields(self) -> list[NewField]:
        """Fields this load saw before any other load did, most carried first."""
        return new_fields(self.conn, self.load_id)

    def finish(self, error: BaseException | None = None) -> dict[str, Any]:
        """Close the load-log row as succeeded or failed; return the summary."""
        seconds = round(time.monotonic() - self._started, 3)
        status = "failed" if error else "succeeded"
        with self.conn.transaction():
            self.conn.execute(
                "update raw.jobspikr_load_log set status = %s, finished_at = now(), seconds = %s,"
                " error = %s where load_id = %s",
                (status, seconds, f"{type(error).__name__}: {error}" if error else None, self.load_id))
        self.conn.execute("select pg_advisory_unlock(%s, hashtext(%s))", (_LOCK_NAMESPACE, self.query_key))
        return {"load_id": self.load_id, "status": status, "seconds": seconds, **asdict(self.counts)}


def new_fields(conn: psycopg.Connection, load_id: int) -> list[NewField]:
    """Fields load ``load_id`` saw before any other load did (``_NEW_FIELDS_SQL``), most carried first."""
    return [NewField(name, share or 0.0) for name, share in conn.execute(_NEW_FIELDS_SQL, {"load_id": load_id})]


def record_hash(record: dict[str, Any]) -> str:
    """The version of a record: md5 of its canonical JSON without the re-crawl fields."""
    return hashlib.md5(_canonical_content(record), usedforsecurity=False).hexdigest()


def _canonical_content(record: dict[str, Any]) -> bytes:
    return orjson.dumps({k: v for k, v in record.items() if k not in _VOLATILE_KEYS}, option=orjson.OPT_SORT_KEYS)


def _reject_key(rejected: Rejected) -> str:
    """A reject has no usable ``uniq_id``: it is counted once per distinct content. orjson
    refuses integers beyond 64 bits (a reject's cursor can be one): the standard library
    serialises those."""
    try:
        content = orjson.dumps(rejected.record, option=orjson.OPT_SORT_KEYS, default=str)
    except orjson.JSONEncodeError:
        content = json.dumps(rejected.record, sort_keys=True, default=str).encode()
    return "reject:" + hashlib.md5(content, usedforsecurity=False).hexdigest()


def _copy_row(record: dict[str, Any]) -> Row:
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
    """The record's canonical content (hashed) and its payload (stored)."""
    content = _canonical_content(record)
    volatile = orjson.dumps({k: record[k] for k in _VOLATILE_KEYS if k in record})
    payload = volatile if content == b"{}" else content if volatile == b"{}" else content[:-1] + b"," + volatile[1:]
    return content, payload


def _as_is(payload: bytes) -> bytes:
    return payload


def _storable_names(fields: Counter[str]) -> Counter[str]:
    """Field counts with a NUL in a name replaced as in the payload (a batch has a few dozen
    names: testing each costs nothing per record)."""
    if not any("\x00" in name for name in fields):
        return fields
    storable: Counter[str] = Counter()
    for name, count in fields.items():
        storable[without_nul(name)] += count
    return storable


def _date(value: Any) -> date | None:
    return _parse_date(value) if isinstance(value, str) else None


@lru_cache(maxsize=4096)  # post dates repeat across a batch: parse each once
def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
