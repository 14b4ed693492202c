"""Validation of ``POST /v2/data`` responses into typed pages.

The real and recorded responses go through this one function, so a conformance test on
the recorded sample checks the exact code path the pipeline uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jobspikr.errors import JobsPikrResponseError

Record = dict[str, Any]

#: Statuses that mean "no more data" rather than a failure (third-party client types).
END_STATUSES = frozenset({"no_data"})
#: The cursors the warehouse can store (Postgres bigint): JobsPikr's are microsecond-scale.
CURSOR_MIN, CURSOR_MAX = 0, 2**63 - 1
#: The longest ``uniq_id`` kept: JobsPikr's are 32 hex characters, and a far longer one
#: cannot go into the raw table's unique index (one entry holds about 2,700 bytes).
UNIQ_ID_MAX_LENGTH = 200


@dataclass(frozen=True)
class Rejected:
    """A record that cannot be keyed or ordered: no usable ``uniq_id`` (missing, with a NUL,
    too long) or no ``cursor`` a bigint holds."""

    position: int
    reason: str
    record: Any


@dataclass(frozen=True)
class Page:
    """One response: its records, the API's counts and its ``next_cursor`` as sent. Whether
    it ends a stream is ``jobspikr.paging``'s decision, not the page's."""

    records: list[Record]
    next_cursor: int | None
    total_count: int | None
    credits_remaining: int | None
    status: str
    host: str
    requested_cursor: int | None
    byte_size: int = 0
    rejected: tuple[Rejected, ...] = ()

    @property
    def resume_cursor(self) -> int | None:
        """Where the stream continues after this page: ``next_cursor``, else past its last record."""
        if self.next_cursor is not None:
            return self.next_cursor
        return self.records[-1]["cursor"] + 1 if self.records else None


def parse_page(payload: Any, *, host: str, requested_cursor: int | None, byte_size: int = 0) -> Page:
    """Check the response's shape (:func:`envelope`; a wrong shape that repeats through the
    hook's whole retry budget fails the run) and every record's keys.

    A record without a usable ``uniq_id`` or an integer ``cursor`` the warehouse can store
    cannot be stored or resumed from; it goes to ``Page.rejected`` with its reason instead
    of failing the page, so one poison record cannot block every later run at the same
    cursor. The loader keeps rejects, with their reasons, in ``raw.jobspikr_rejects`` and
    the load log. A ``next_cursor`` outside the bigint range cannot become a watermark: the
    page is malformed (retryable), as when it does not advance.
    """
    where = f"JobsPikr response from {host} for cursor {requested_cursor}"
    status, records = envelope(payload, where=where)
    size = _optional_int(payload, "size", where)
    if size is not None and size != len(records):
        raise JobsPikrResponseError(
            f"{where}: size says {size} records but job_data holds {len(records)}", retryable=True)
    valid: list[Record] = []
    rejected: list[Rejected] = []
    for position, record in enumerate(records):
        reason = _record_defect(record)
        if reason:
            rejected.append(Rejected(position, f"{where}: job_data[{position}] {reason}", record))
        else:
            valid.append(record)
    next_cursor = _optional_int(payload, "next_cursor", where)
    if next_cursor is not None and not CURSOR_MIN <= next_cursor <= CURSOR_MAX:
        raise JobsPikrResponseError(
            f"{where}: next_cursor {next_cursor} is outside the range a cursor can have "
            f"({CURSOR_MIN}..{CURSOR_MAX})", retryable=True)
    if valid and next_cursor is not None and next_cursor <= valid[-1]["cursor"]:
        raise JobsPikrResponseError(
            f"{where}: next_cursor {next_cursor} does not advance past the last record's "
            f"cursor {valid[-1]['cursor']}", retryable=True)
    return Page(
        records=valid,
        rejected=tuple(rejected),
        next_cursor=next_cursor,
        total_count=_optional_int(payload, "total_count", where),
        credits_remaining=_optional_int(payload, "job_credit_remaining", where),
        status=status,
        host=host,
        requested_cursor=requested_cursor,
        byte_size=byte_size,
    )


def envelope(payload: Any, *, where: str) -> tuple[str, list[Any]]:
    """The status and the ``job_data`` items of an answer of any of JobsPikr's APIs (the
    search and the expired jobs answer alike). A wrong shape is retryable (a proxy or a
    half-deployed server can answer one badly); an ``error`` status is the server's
    deliberate answer and is not. ``where`` names the host and request in errors."""
    if not isinstance(payload, dict):
        raise JobsPikrResponseError(f"{where} is a {type(payload).__name__}, not a JSON object", retryable=True)
    status = payload.get("status")
    if status != "success" and status not in END_STATUSES:
        raise JobsPikrResponseError(f"{where} has status {status!r}: {payload.get('message', 'no message')}")
    items = payload.get("job_data") or []
    if not isinstance(items, list):
        raise JobsPikrResponseError(f"{where}: job_data is a {type(items).__name__}, not a list", retryable=True)
    return status, items


def _record_defect(record: Any) -> str | None:
    if not isinstance(record, dict):
        return f"is a {type(record).__name__}, not an object"
    uniq_id = record.get("uniq_id")
    if not isinstance(uniq_id, str) or not uniq_id.strip():
        return "has no uniq_id"
    # Neither can be stored as a key: text holds no NUL, an index entry no 10,000 characters.
    if "\x00" in uniq_id:
        shown = uniq_id.replace("\x00", "<NUL>")[:80]
        return f"has a NUL character in its uniq_id ({shown!r})"
    if len(uniq_id) > UNIQ_ID_MAX_LENGTH:
        return (f"has a uniq_id of {len(uniq_id)} characters (at most {UNIQ_ID_MAX_LENGTH} are kept; "
                f"JobsPikr's have 32): {uniq_id[:40]!r}...")
    cursor = record.get("cursor")
    if not isinstance(cursor, int) or isinstance(cursor, bool):
        return f"(uniq_id {uniq_id}) has no integer cursor"
    if not CURSOR_MIN <= cursor < CURSOR_MAX:  # the stream resumes past a record at its cursor + 1
        return (f"(uniq_id {uniq_id}) has cursor {cursor}, outside the range a cursor can have "
                f"({CURSOR_MIN}..{CURSOR_MAX - 1}, a bigint with room to resume past it)")
    return None


def _optional_int(payload: dict[str, Any], key: str, where: str) -> int | None:
    value = payload.get(key)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise JobsPikrResponseError(f"{where}: {key} is {value!r}, not an integer", retryable=True)
