"""The subset of Elasticsearch query DSL that JobsPikr clients send, evaluated on one record.

Supported, as the API notes describe: ``bool`` (``must`` / ``must_not`` / ``should`` /
``filter``), ``query_string`` (``default_field`` or ``fields``; terms joined by ``OR``,
each a case-insensitive substring match, quotes around phrases optional), ``range`` on
``post_date`` (``gte`` / ``lte`` / ``gt`` / ``lt``, ``YYYY-MM-DD``), ``exists``, ``match_all``.
Anything else is a client error, reported as such rather than ignored.
"""

from __future__ import annotations

from typing import Any

Record = dict[str, Any]


class QueryError(ValueError):
    """The query uses a construct the stand-in does not understand."""


def matches(query: dict[str, Any] | None, record: Record) -> bool:
    """Whether ``record`` satisfies ``query`` (an empty or missing query matches all)."""
    if not query:
        return True
    if not isinstance(query, dict) or len(query) != 1:
        raise QueryError(f"a query clause must be an object with one key, got {query!r}")
    ((kind, body),) = query.items()
    if kind == "bool":
        return _bool(body, record)
    if kind == "query_string":
        return _query_string(body, record)
    if kind == "range":
        return _range(body, record)
    if kind == "exists":
        value = record.get(body.get("field", ""))
        return value not in (None, "")
    if kind == "match_all":
        return True
    raise QueryError(f"unsupported query clause {kind!r}")


def _clauses(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = body.get(key, [])
    return value if isinstance(value, list) else [value]


def _bool(body: dict[str, Any], record: Record) -> bool:
    unknown = set(body) - {"must", "must_not", "should", "filter", "minimum_should_match"}
    if unknown:
        raise QueryError(f"unsupported bool keys {sorted(unknown)}")
    if not all(matches(q, record) for q in _clauses(body, "must") + _clauses(body, "filter")):
        return False
    if any(matches(q, record) for q in _clauses(body, "must_not")):
        return False
    should = _clauses(body, "should")
    return not should or any(matches(q, record) for q in should)


def _query_string(body: dict[str, Any], record: Record) -> bool:
    fields = body.get("fields") or [body.get("default_field")]
    if not all(isinstance(f, str) and f for f in fields):
        raise QueryError("query_string needs default_field or fields")
    query = body.get("query")
    if not isinstance(query, str):
        raise QueryError("query_string needs a string query")
    terms = [term.lower() for term in _terms(query)]
    for field in fields:
        value = record.get(field)
        if value is None:
            continue
        text = str(value).lower()
        if any(term in text for term in terms):
            return True
    return False


def _terms(query: str) -> list[str]:
    """Split ``"a b" OR c`` into ``["a b", "c"]``, honouring backslash escapes in phrases."""
    terms: list[str] = []
    current: list[str] = []
    in_phrase = escaped = False
    for char in query:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            in_phrase = not in_phrase
        elif char == " " and not in_phrase:
            word = "".join(current)
            current = []
            if word and word != "OR":
                terms.append(word)
        else:
            current.append(char)
    if in_phrase or escaped:
        raise QueryError(f"unbalanced quotes or a dangling escape in {query!r}")
    if current:
        terms.append("".join(current))
    return terms


def _range(body: dict[str, Any], record: Record) -> bool:
    if set(body) != {"post_date"}:
        raise QueryError(f"range is supported on post_date only, got {sorted(body)}")
    bounds = body["post_date"]
    value = record.get("post_date")
    if not value:
        return False
    checks = {"gte": value >= bounds.get("gte", value), "lte": value <= bounds.get("lte", value)}
    if "gt" in bounds:
        checks["gt"] = value > bounds["gt"]
    if "lt" in bounds:
        checks["lt"] = value < bounds["lt"]
    return all(checks.values())
