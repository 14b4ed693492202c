"""Text Postgres can store: neither ``text`` nor ``jsonb`` holds a NUL character.

JobsPikr can send one in any string or key; it is replaced by U+FFFD (the Unicode
replacement character, which a data engineer sees in the warehouse) so the record lands
instead of failing its whole batch.
"""

from __future__ import annotations

from typing import Any

#: A NUL as JSON writes it (orjson and the standard library alike): a cheap test on the
#: serialised record says whether it needs cleaning at all.
NUL_ESCAPE = b"\\u0000"
REPLACEMENT = "\ufffd"


def without_nul(value: Any) -> Any:
    """``value`` with every NUL in its strings and keys (at any depth) replaced by U+FFFD."""
    if isinstance(value, str):
        return value.replace("\x00", REPLACEMENT)
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    return value
