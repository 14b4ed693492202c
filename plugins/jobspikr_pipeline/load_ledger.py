"""A load's ledger: what one extract-and-load (one task run) knows and leaves behind
besides the rows themselves.

- the **lock**: one load per set of filters at a time (a Postgres advisory lock, released
  with the session, so a killed worker never leaves it held);
- the **load log** (``raw.jobspikr_load_log``): one row per load, its counts and outcome; a
  row a killed worker left ``running`` is closed as abandoned by the next load;
- the **watermarks** (``raw.jobspikr_watermarks``): per (filters, post date), the cursor the
  next load resumes from;
- the **windows** (``raw.jobspikr_windows``, ``raw.jobspikr_load_windows``): per post date,
  the distinct records received against the API's count, and each pass's reconciliation;
- the **fields seen** (``raw.jobspikr_load_fields``): how many of a load's records carried
  each field, so a field JobsPikr starts sending is named the day it first lands.

Its batch writes (``record_batch``) run inside the transaction that lands the batch's rows
(``raw_loader``): a batch's rows, counts and watermark commit together or not at all.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, astuple, dataclass
from dataclasses import fields as dataclass_fields
from datetime import date
from typing import Any

import orjson
import psycopg
from psycopg import sql

from jobspikr.responses import Rejected
from jobspikr_pipeline.postgres_text import without_nul

#: First key of the advisory lock that serialises loads of one set of filters.
_LOCK_NAMESPACE = 7_114_202

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


#: A batch's counts added to its load's row: the log's counters are ``LoadCounts``' fields.
_ADD_COUNTS_SQL = sql.SQL("update raw.jobspikr_load_log set {}, source_host = %s where load_id = %s").format(
    sql.SQL(", ").join(sql.SQL("{0} = {0} + %s").format(sql.Identifier(f.name)) for f in dataclass_fields(LoadCounts)))


class LoadLedger:
    """One load's lock, load-log row, watermarks and windows (see the module's docstring)."""

    def __init__(self, conn: psycopg.Connection, *, query_key: str, airflow_run_id: str | None) -> None:
        self.conn = conn
        self.query_key = query_key
        self.airflow_run_id = airflow_run_id
        self.counts = LoadCounts()
        self._started = time.monotonic()
        # A second concurrent run of these filters waits here rather than racing the first
        # for the same watermarks.
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

    def record_batch(self, batch: LoadCounts, *, post_date: date, keys: Sequence[str], next_cursor: int | None,
                     host: str, fields: Counter[str]) -> None:
        """A landed batch in the ledger: its records received in their window (``keys``), the
        watermark moved to ``next_cursor``, its counts and fields added to the load's. Inside
        the transaction that lands the batch's rows."""
        self.conn.execute(_RECEIVED_SQL, {"query_key": self.query_key, "post_date": post_date,
                                          "keys": list(keys), "load_id": self.load_id})
        if next_cursor is not None:
            self.conn.execute(
                "insert into raw.jobspikr_watermarks (query_key, post_date, next_cursor, load_id)"
                " values (%s, %s, %s, %s) on conflict (query_key, post_date) do update"
                " set next_cursor = greatest(raw.jobspikr_watermarks.next_cursor, excluded.next_cursor),"
                " load_id = excluded.load_id, updated_at = now()",
                (self.query_key, post_date, next_cursor, self.load_id))
        self.conn.execute(_ADD_COUNTS_SQL, (*astuple(batch), host, self.load_id))
        if fields:
            storable = _storable_names(fields)
            names = sorted(storable)
            self.conn.execute(_FIELDS_SQL, {"load_id": self.load_id, "fields": names,
                                            "records": [storable[name] for name in names]})
        self.counts.add(batch)

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

    def new_fields(self) -> list[NewField]:
        """Fields this load saw before any other load did, most carried first."""
        return new_fields(self.conn, self.load_id)

    def finish(self, error: BaseException | None = None) -> dict[str, Any]:
        """Close the load-log row as succeeded or failed, release the lock; return the summary."""
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


def reject_key(rejected: Rejected) -> str:
    """A reject has no usable ``uniq_id``: it is counted in its window once per distinct
    content. orjson refuses integers beyond 64 bits (a reject's cursor can be one): the
    standard library serialises those."""
    try:
        content = orjson.dumps(rejected.record, option=orjson.OPT_SORT_KEYS, default=str)
    except orjson.JSONEncodeError:
        content = json.dumps(rejected.record, sort_keys=True, default=str).encode()
    return "reject:" + hashlib.md5(content, usedforsecurity=False).hexdigest()


def _storable_names(fields: Counter[str]) -> Counter[str]:
    """Field counts with a NUL in a name replaced as in the payload (a batch has a few dozen
    names: testing each costs nothing per record)."""
    if not any("\x00" in name for name in fields):
        return fields
    storable: Counter[str] = Counter()
    for name, count in fields.items():
        storable[without_nul(name)] += count
    return storable
