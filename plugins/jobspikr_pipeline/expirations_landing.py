"""Which jobs JobsPikr reports as expired, into ``raw.jobspikr_expirations``.

The expired jobs API is asked for a range of days each run, and the ranges of consecutive
runs overlap (the look-back), so the same job is reported again and again: the upsert
keeps one row per ``uniq_id``, the earliest day any report named, when we were first told
(``reported_at``) and when last (``last_reported_at``). Running it twice changes nothing but
``last_reported_at``. Records and their versions stay in ``raw.jobspikr_jobs``; what an
expiry means for the marts is dbt's to decide.

The API's path is not public (the client's default is an assumption): an account or a
setting without it is a warning, once, and the run goes on without expirations.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import psycopg

from jobspikr.errors import JobsPikrEndpointNotFound
from jobspikr.expirations import Expiration
from jobspikr.hook import JobsPikrHook
from jobspikr_pipeline.alerts import warn_endpoint_missing

log = logging.getLogger(__name__)

_UPSERT = """
insert into raw.jobspikr_expirations as stored (uniq_id, expired_on, fetched_range)
select uniq_id, expired_on, daterange(%(date_from)s, %(date_to)s, '[]')
from unnest(%(uniq_ids)s::text[], %(days)s::date[]) as reported (uniq_id, expired_on)
on conflict (uniq_id) do update set
    expired_on       = least(stored.expired_on, excluded.expired_on),  -- least() skips nulls
    last_reported_at = now(),
    fetched_range    = excluded.fetched_range
returning (xmax = 0) as inserted
"""


def fetch_expirations(hook: JobsPikrHook, conn: psycopg.Connection, date_from: date,
                      date_to: date) -> dict[str, Any]:
    """Ask JobsPikr which jobs expired from ``date_from`` to ``date_to`` (both included) and
    upsert them in one transaction. Returns a summary: ``endpoint`` (``"available"`` or
    ``"missing"``), the range, ``received`` (items with a uniq_id), ``distinct``, ``new`` (not
    reported before), ``already_known`` and ``undated`` (no expiry day given).

    Only a missing endpoint (HTTP 404) is tolerated; every other error propagates for the
    task to fail as the extract does.
    """
    summary: dict[str, Any] = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    try:
        reported = hook.expired_jobs(date_from, date_to)
    except JobsPikrEndpointNotFound as exc:
        warn_endpoint_missing(f"no expirations fetched for {date_from}..{date_to}, the run goes on without "
                               f"them: {exc}")
        return {**summary, "endpoint": "missing", "error": str(exc)}
    days = earliest_days(reported)
    with conn.transaction():
        inserted = [row[0] for row in conn.execute(_UPSERT, {
            "date_from": date_from, "date_to": date_to, "uniq_ids": list(days),
            "days": list(days.values())}).fetchall()] if days else []
    new = sum(inserted)
    summary.update(endpoint="available", received=len(reported), distinct=len(days), new=new,
                   already_known=len(days) - new, undated=sum(day is None for day in days.values()))
    log.info("JobsPikr expirations %s..%s: %d received, %d distinct, %d new, %d already known, %d undated",
             date_from, date_to, summary["received"], summary["distinct"], new, summary["already_known"],
             summary["undated"])
    return summary


def earliest_days(reported: list[Expiration]) -> dict[str, date | None]:
    """One entry per ``uniq_id`` (a statement may touch a row once), with the earliest day
    reported for it; None only when no report named a day."""
    days: dict[str, date | None] = {}
    for expiration in reported:
        known = days.get(expiration.uniq_id)
        day = expiration.expired_on
        days[expiration.uniq_id] = min(known, day) if known and day else known or day
    return days
