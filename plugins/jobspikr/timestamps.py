"""JobsPikr's timestamps, read one way wherever they are read.

The API writes ``2021-10-03 04:25:55 +0000`` (``crawl_timestamp``), older answers
``... GMT`` or ``... UTC``, and some fields ISO 8601 or a bare day. A value without an
offset is UTC; a day is the UTC day of the moment. Anything else is None: a timestamp is a
record's value, and a bad one is the record's problem (the callers decide what it costs).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

_DAY_FIRST = re.compile(r"\d{4}-\d{2}-\d{2}")
_NAMED_UTC = re.compile(r" (GMT|UTC)$")
_OFFSET_WITHOUT_COLON = re.compile(r" ([+-]\d{4})$")


def parse_timestamp(value: Any) -> datetime | None:
    """The moment ``value`` names, timezone-aware, or None for anything that is not one of
    JobsPikr's forms or that no timestamptz holds (an offset past year 9999)."""
    if not isinstance(value, str):
        return None
    text = _OFFSET_WITHOUT_COLON.sub(r"\1", _NAMED_UTC.sub("+00:00", value.strip()))
    if not _DAY_FIRST.match(text):  # fromisoformat would also read "20261120" and "2026-W47"
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        moment.astimezone(UTC)  # an offset may carry year 1 or 9999 past Python's years
    except OverflowError:
        return None
    return moment


def utc_day(value: Any) -> date | None:
    """The UTC day of ``value`` (a day or a timestamp, as :func:`parse_timestamp` reads it)."""
    moment = parse_timestamp(value)
    return moment.astimezone(UTC).date() if moment else None
