"""JSON bodies from JobsPikr into Python values, without losing a page to one odd value.

orjson reads every body (it is several times faster than the standard library), but it
refuses a whole body over one number a double cannot hold (``1e400``), an integer beyond 64
bits, a ``NaN`` or ``Infinity`` literal, or a lone UTF-16 surrogate escape. Such a value is one record's
problem, so a body orjson refuses is read again by the standard library, keeping each
such value in a form the warehouse can store (Postgres jsonb holds neither non-finite
numbers nor lone surrogates, and orjson writes no integer beyond 64 bits): such a number as
its original text (the models read numbers defensively, so it becomes a null field there;
a cursor that is text is a rejected record) and a lone surrogate as U+FFFD.
A body neither can read (truncated, not JSON) still fails.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

_REPLACEMENT = "\ufffd"


def decode_body(content: bytes | str) -> Any:
    """The JSON value of ``content``; raises ``ValueError`` (orjson's message) if it is not JSON."""
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        try:
            value = json.loads(content, parse_float=_finite_or_text, parse_int=_int_or_text,
                               parse_constant=_as_text)
        except ValueError:
            raise exc from None
        return _without_lone_surrogates(value)


def _finite_or_text(text: str) -> float | str:
    number = float(text)
    return number if math.isfinite(number) else text


def _int_or_text(text: str) -> int | str:
    """An integer orjson can write again (signed or unsigned 64-bit), else its text."""
    number = int(text)
    return number if -(2**63) <= number < 2**64 else text


def _as_text(text: str) -> str:
    """``NaN``, ``Infinity`` and ``-Infinity`` as the text the server sent."""
    return text


def _without_lone_surrogates(value: Any) -> Any:
    """``value`` with each lone surrogate in its strings and keys replaced by U+FFFD."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "".join(_REPLACEMENT if "\ud800" <= char <= "\udfff" else char for char in value)
        return value
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    return value
