"""A typed builder for JobsPikr's Elasticsearch-style ``search_query_json``.

Filter values are only ever placed inside JSON strings, and inside those strings they
are quoted as ``query_string`` phrases with ``\\`` and ``"`` escaped, so no filter value
can add a clause, change an operator or reach another field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from typing import Any

from jobspikr.errors import JobsPikrConfigError

#: Filter name -> the record fields it searches. Location filters search both the raw
#: page text and JobsPikr's normalised ``inferred_*`` value, as users expect.
_FIELD_TARGETS: dict[str, tuple[str, ...]] = {
    "job_title": ("job_title", "inferred_job_title"),
    "company_name": ("company_name",),
    "job_type": ("job_type",),
    "city": ("city", "inferred_city"),
    "state": ("state", "inferred_state"),
    "country": ("country", "inferred_country"),
    "job_board": ("job_board",),
}
_DATASETS = frozenset({"job_board", "f500"})


def parse_day(value: object, name: str) -> date | None:
    """A day setting (``YYYY-MM-DD``, or empty for none), with a one-line message when not."""
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError as exc:
        raise JobsPikrConfigError(f"{name} must be a date YYYY-MM-DD, got {value!r}") from exc


def quote_phrase(value: str) -> str:
    """``value`` as one ``query_string`` phrase: operators inside it are plain text."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class JobsPikrQuery:
    """What to fetch. Each text filter is a tuple of alternatives (OR); filters combine
    with AND; ``exclude_company_name`` removes matches; the post-date range is inclusive."""

    job_title: tuple[str, ...] = ()
    company_name: tuple[str, ...] = ()
    job_type: tuple[str, ...] = ()
    city: tuple[str, ...] = ()
    state: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    job_board: tuple[str, ...] = ()
    exclude_company_name: tuple[str, ...] = ()
    post_date_from: date | None = None
    post_date_to: date | None = None
    dataset: tuple[str, ...] = field(default=("job_board",))

    def __post_init__(self) -> None:
        for name in (*_FIELD_TARGETS, "exclude_company_name"):
            values = getattr(self, name)
            if isinstance(values, str) or not all(isinstance(v, str) and v.strip() for v in values):
                raise JobsPikrConfigError(f"filter {name!r} must be a list of non-empty strings, got {values!r}")
        unknown = set(self.dataset) - _DATASETS
        if not self.dataset or unknown:
            raise JobsPikrConfigError(
                f"filter 'dataset' must be a subset of {sorted(_DATASETS)}, got {list(self.dataset)}")
        if self.post_date_from and self.post_date_to and self.post_date_from > self.post_date_to:
            raise JobsPikrConfigError(
                f"filter 'post_date_from' ({self.post_date_from}) is after 'post_date_to' ({self.post_date_to})")

    @classmethod
    def from_mapping(cls, filters: Mapping[str, Any]) -> JobsPikrQuery:
        """Build from DAG params or a config file; unknown names and bad values fail loudly."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(filters) - known)
        if unknown:
            raise JobsPikrConfigError(f"unknown JobsPikr filter(s) {unknown}; known filters: {sorted(known)}")
        values: dict[str, Any] = {}
        for name, value in filters.items():
            if value is None or value == [] or value == "":
                continue
            if name.startswith("post_date_"):
                values[name] = parse_day(value, f"filter {name!r}")
            else:
                values[name] = (value,) if isinstance(value, str) else tuple(value)
        return cls(**values)

    def with_post_dates(self, post_date_from: date | None, post_date_to: date | None) -> JobsPikrQuery:
        return replace(self, post_date_from=post_date_from, post_date_to=post_date_to)

    def search_query_json(self) -> dict[str, Any]:
        must: list[dict[str, Any]] = []
        for name, targets in _FIELD_TARGETS.items():
            values = getattr(self, name)
            if values:
                must.append(_query_string(targets, values))
        if self.post_date_from or self.post_date_to:
            bounds = {}
            if self.post_date_from:
                bounds["gte"] = self.post_date_from.isoformat()
            if self.post_date_to:
                bounds["lte"] = self.post_date_to.isoformat()
            must.append({"range": {"post_date": bounds}})
        query: dict[str, Any] = {"must": must or [{"match_all": {}}]}
        if self.exclude_company_name:
            query["must_not"] = [_query_string(("company_name",), self.exclude_company_name)]
        return {"bool": query}

    def key(self) -> str:
        """A stable id of the filters *without* the post-date range: the watermark key.

        The range moves with each run's data interval, while the cursor position in the
        stream of matching records belongs to the filters themselves.
        """
        filters = asdict(self.with_post_dates(None, None))
        canonical = json.dumps(filters, sort_keys=True, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _query_string(targets: tuple[str, ...], values: tuple[str, ...]) -> dict[str, Any]:
    clause: dict[str, Any] = {"query": " OR ".join(quote_phrase(v) for v in values)}
    if len(targets) == 1:
        clause["default_field"] = targets[0]
    else:
        clause["fields"] = list(targets)
    return {"query_string": clause}
