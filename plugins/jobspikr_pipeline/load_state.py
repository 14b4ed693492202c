"""What the loads remember, shown and reset: ``./pipeline state show`` / ``state reset``.

A set of filters (its ``query_key``) has, per post-date day, a watermark (where the next
load resumes, ``raw.jobspikr_watermarks``) and a reconciled count (``raw.jobspikr_windows``).
Resetting from a day marks every day from it to today as to be fetched again from its
start, through the same path a short day takes (``RawLoader.short_days``): the next run
fetches them whatever its look-back, never-fetched empty stretches are counted rather than
fetched, and the raw rows already stored stay (a record fetched again is skipped as a
version already present), so nothing is lost or doubled by a reset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import psycopg


@dataclass(frozen=True)
class FiltersState:
    """One set of filters' state: its days, watermarks and last load."""

    query_key: str
    days_known: int
    days_with_watermark: int
    first_day: date | None
    last_day: date | None
    days_to_fetch_again: int
    last_load_id: int | None
    last_load_status: str | None
    last_load_finished_at: datetime | None
    last_load_records: int | None
    last_load_error: str | None


def load_state(conn: psycopg.Connection) -> list[FiltersState]:
    """Every set of filters that was ever loaded, newest load first."""
    rows = conn.execute("""
        with keys as (select distinct query_key from raw.jobspikr_load_log),
        days as (
            select query_key, post_date from raw.jobspikr_windows
            union
            select query_key, post_date from raw.jobspikr_watermarks
        ),
        last_load as (
            select distinct on (query_key) query_key, load_id, status, finished_at, records_received, error
            from raw.jobspikr_load_log order by query_key, load_id desc
        )
        select k.query_key,
               (select count(*) from days d where d.query_key = k.query_key),
               (select count(*) from raw.jobspikr_watermarks w where w.query_key = k.query_key),
               (select min(post_date) from days d where d.query_key = k.query_key),
               (select max(post_date) from days d where d.query_key = k.query_key),
               (select count(*) from raw.jobspikr_windows s where s.query_key = k.query_key
                                                             and s.complete = false),
               l.load_id, l.status, l.finished_at, l.records_received, l.error
        from keys k join last_load l using (query_key)
        order by l.load_id desc""").fetchall()
    return [FiltersState(*row) for row in rows]


def reset_state(conn: psycopg.Connection, *, since: date, until: date,
                query_key: str | None = None) -> dict[str, int]:
    """Make the next load fetch every day from ``since`` to ``until`` again from its start
    (for one set of filters, or all); returns the rows changed. One transaction."""
    if since > until:
        raise ValueError(f"--since {since} is after {until}")
    params = {"since": since, "until": until, "key": query_key}
    with conn.transaction():
        watermarks = conn.execute(
            "delete from raw.jobspikr_watermarks where post_date between %(since)s and %(until)s"
            " and (%(key)s::text is null or query_key = %(key)s)", params).rowcount
        received = conn.execute(
            "delete from raw.jobspikr_window_records where post_date between %(since)s and %(until)s"
            " and (%(key)s::text is null or query_key = %(key)s)", params).rowcount
        windows = conn.execute("""
            insert into raw.jobspikr_windows (query_key, post_date, received_count, complete)
            select keys.query_key, day::date, 0, false
            from (select distinct query_key from raw.jobspikr_load_log
                  where %(key)s::text is null or query_key = %(key)s) as keys
            cross join generate_series(%(since)s::date, %(until)s::date, interval '1 day') as day
            on conflict (query_key, post_date) do update
                set received_count = 0, expected_count = null, complete = false""", params).rowcount
    return {"watermarks_removed": watermarks, "received_marks_removed": received, "days_to_fetch_again": windows}
