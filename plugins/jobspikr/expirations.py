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

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from jobspikr.errors import JobsPikrResponseError
from jobspikr.responses import END_STATUSES, envelope
from jobspikr.timestamps import utc_day

#: Where an item's expiry day may be, in the order they are tried.
DATE_FIELDS: tuple[str, ...] = ("expired_on", "expiry_date", "expired_date", "latest_expiry_check_date",
                                "valid_through")

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
    status, items = envelope(payload, where=where)
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
            return utc_day(value)
    return None


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


