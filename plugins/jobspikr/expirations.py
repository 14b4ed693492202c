"""Answers of JobsPikr's expired jobs API, parsed tolerantly into :class:`Expiration`.

JobsPikr documents that the API exists (a GET with a date range, returning consumed jobs
that expired in it) but not its response. What is assumed, and why this parser bends:

- the envelope is the search API's: ``status``, a ``job_data`` list, maybe ``next_cursor``
  and ``total_count``; an ``error`` status is the server's deliberate answer;
- each item names the job by ``uniq_id`` and its expiry day under one of several names
  (:data:`DATE_FIELDS`, the first present wins: the job record's own fields and the ones
  older feeds use), as ``YYYY-MM-DD`` or a timestamp; an item without a ``uniq_id`` cannot
  be matched to a job, so it is counted and skipped, never a reason to fail the page;
- the cursor is opaque (an integer or a string): it is only sent back, never compared.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from jobspikr.errors import JobsPikrResponseError
from jobspikr.responses import END_STATUSES

#: Where an item's expiry day may be, in the order they are tried.
DATE_FIELDS: tuple[str, ...] = ("expired_on", "expiry_date", "expired_date", "latest_expiry_check_date",
                                "valid_through")
#: Timestamp shapes JobsPikr's records use besides ISO 8601 (``crawl_timestamp``, v1's dates).
_TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S GMT", "%Y-%m-%d %H:%M:%S UTC")
_DAY_PREFIX = re.compile(r"\d{4}-\d{2}-\d{2}")

Cursor = int | str


@dataclass(frozen=True)
class Expiration:
    """A job JobsPikr reports as expired; ``expired_on`` is None when no day came with it."""

    uniq_id: str
    expired_on: date | None


@dataclass(frozen=True)
class ExpirationPage:
    """One answer: its expirations, how many items had no ``uniq_id``, and the paging."""

    expirations: list[Expiration]
    skipped: int
    next_cursor: Cursor | None
    total_count: int | None

    @property
    def items(self) -> int:
        """Items the answer held, skipped ones included (an answer of skipped items is not empty)."""
        return len(self.expirations) + self.skipped


def parse_expirations(payload: Any, *, where: str) -> ExpirationPage:
    """Check the envelope (a wrong shape is retryable, as for search; an ``error`` status is
    not) and read every item it can. ``where`` names the host and request in errors."""
    if not isinstance(payload, dict):
        raise JobsPikrResponseError(f"{where} is a {type(payload).__name__}, not a JSON object", retryable=True)
    status = payload.get("status")
    if status != "success" and status not in END_STATUSES:
        raise JobsPikrResponseError(f"{where} has status {status!r}: {payload.get('message', 'no message')}")
    items = payload.get("job_data") or []
    if not isinstance(items, list):
        raise JobsPikrResponseError(f"{where}: job_data is a {type(items).__name__}, not a list", retryable=True)
    expirations = [Expiration(item["uniq_id"].strip(), expiry_day(item)) for item in items if _has_uniq_id(item)]
    next_cursor = payload.get("next_cursor")
    if next_cursor is not None and not _is_cursor(next_cursor):
        raise JobsPikrResponseError(f"{where}: next_cursor is {next_cursor!r}, not an integer or a string",
                                    retryable=True)
    total_count = payload.get("total_count")
    return ExpirationPage(
        expirations=expirations,
        skipped=len(items) - len(expirations),
        next_cursor=None if status in END_STATUSES or next_cursor == "" else next_cursor,
        total_count=total_count if isinstance(total_count, int) and not isinstance(total_count, bool) else None,
    )


def expiry_day(item: dict[str, Any]) -> date | None:
    """The day under the first of :data:`DATE_FIELDS` the item has a value for, or None."""
    for name in DATE_FIELDS:
        value = item.get(name)
        if value not in (None, ""):
            return parse_day(value)
    return None


def parse_day(value: Any) -> date | None:
    """``2026-11-20``, an ISO timestamp (``2026-11-20T04:25:55Z``) or a JobsPikr timestamp
    (``2026-11-20 04:25:55 +0000``); a timestamp with an offset counts by its UTC day, as
    every other timestamp in the warehouse. Anything else: None (the job still expired)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _DAY_PREFIX.match(text):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = _jobspikr_timestamp(text)
        if moment is None:
            return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date()


def follow_cursor(fetch: Callable[[Cursor | None], ExpirationPage], *, where: str) -> Iterator[ExpirationPage]:
    """The answers from the first (no cursor) on, asking again with each ``next_cursor``
    while answers hold items. It ends on an empty answer or one without ``next_cursor``;
    a ``next_cursor`` already asked for would loop for ever, so it fails, naming it."""
    cursor: Cursor | None = None
    asked: set[Cursor | None] = {None}
    while True:
        page = fetch(cursor)
        yield page
        if not page.items or page.next_cursor is None:
            return
        if page.next_cursor in asked:
            raise JobsPikrResponseError(
                f"{where}: next_cursor {page.next_cursor!r} after cursor {cursor!r} was already asked for; "
                "the expired jobs API's paging does not advance")
        cursor = page.next_cursor
        asked.add(cursor)


def _has_uniq_id(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("uniq_id"), str) and bool(item["uniq_id"].strip())


def _is_cursor(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _jobspikr_timestamp(text: str) -> datetime | None:
    for form in _TIMESTAMP_FORMATS:
        try:
            moment = datetime.strptime(text, form)
        except ValueError:
            continue
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None
