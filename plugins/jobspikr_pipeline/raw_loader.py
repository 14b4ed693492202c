"""Bulk, idempotent loading of JobsPikr records into ``raw.jobspikr_jobs``.

Each batch is one transaction: ``COPY`` into a temporary table, insert the versions
not yet stored, move the stream's watermark and add to the load log. Either all of
that commits or none of it does, so a worker killed mid-batch leaves the watermark at
the last batch that fully landed and the next run fetches exactly what is missing.

A record's version is the md5 of its canonical JSON (sorted keys) without the fields that
change on every re-crawl (``cursor``, ``crawl_timestamp``, ``latest_expiry_check_date``):
the same posting sent twice is skipped, a posting sent with changes becomes a new version.
It is computed here rather than in SQL: hashing the jsonb text in Postgres doubled the
merge's cost (see bench/results).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import orjson
import psycopg
from psycopg.types.json import Jsonb

from jobspikr.responses import Rejected

_VOLATILE_KEYS = frozenset({"cursor", "crawl_timestamp", "latest_expiry_check_date"})
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

    def __init__(self, conn: psycopg.Connection, *, query_key: str, airflow_run_id: str | None) -> None:
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

    def watermark(self, post_date: date) -> int | None:
        row = self.conn.execute(
            "select next_cursor from raw.jobspikr_watermarks where query_key = %s and post_date = %s",
            (self.query_key, post_date)).fetchone()
        return row[0] if row else None

    def load_batch(self, records: list[dict[str, Any]], *, post_date: date, next_cursor: int | None,
                   pages: int, byte_count: int, host: str, rejected: Sequence[Rejected] = ()) -> LoadCounts:
        """Land ``records``, keep ``rejected`` with their reasons, and move the (filters,
        post_date) watermark to ``next_cursor``: all in one transaction."""
        batch = LoadCounts(pages=pages, records_received=len(records) + len(rejected), bytes=byte_count,
                           rejected=len(rejected))
        with self.conn.transaction():
            if rejected:
                with self.conn.cursor() as cur:
                    cur.executemany(
                        "insert into raw.jobspikr_rejects (load_id, post_date, reason, record)"
                        " values (%s, %s, %s, %s)",
                        [(self.load_id, post_date, r.reason, Jsonb(r.record)) for r in rejected])
            if records:
                self.conn.execute(
                    "create temp table if not exists incoming_jobs (uniq_id text, record_hash text,"
                    " cursor bigint, crawl_timestamp timestamptz, post_date date, payload jsonb)")
                self.conn.execute("truncate pg_temp.incoming_jobs")
                with self.conn.cursor() as cur, cur.copy(
                        "copy pg_temp.incoming_jobs (uniq_id, record_hash, cursor, crawl_timestamp, post_date,"
                        " payload)"
                        " from stdin") as copy:
                    for record in records:
                        copy.write_row(_copy_row(record))
                inserted, updated = self.conn.execute(_MERGE_SQL, {
                    "load_id": self.load_id, "run_id": self.airflow_run_id, "host": host}).fetchone()
                batch.inserted, batch.updated = inserted, updated
                batch.duplicates_skipped = len(records) - inserted
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
        self.counts.add(batch)
        return batch

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


def record_hash(record: dict[str, Any]) -> str:
    """The version of a record: md5 of its canonical JSON without the re-crawl fields."""
    content = {k: v for k, v in record.items() if k not in _VOLATILE_KEYS}
    return hashlib.md5(orjson.dumps(content, option=orjson.OPT_SORT_KEYS), usedforsecurity=False).hexdigest()


def _copy_row(record: dict[str, Any]) -> tuple[Any, ...]:
    return (record["uniq_id"], record_hash(record), record["cursor"], _timestamp(record.get("crawl_timestamp")),
            _date(record.get("post_date")), Jsonb(record, dumps=orjson.dumps))


def _timestamp(value: Any) -> datetime | None:
    """``2021-10-03 04:25:55 +0000`` (JobsPikr's format) or ISO 8601; else None."""
    if not isinstance(value, str):
        return None
    text = value[:19] + value[20:] if len(value) == 25 and value[19] == " " else value
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _date(value: Any) -> date | None:
    return _parse_date(value) if isinstance(value, str) else None


@lru_cache(maxsize=4096)  # post dates repeat across a batch: parse each once
def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
