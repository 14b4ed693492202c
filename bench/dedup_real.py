"""The labelled deduplication set built from the **real** JobsPikr rows.

The truth is not generated: ``bench/dedup_labels/real_groups.csv`` names, for each of the
200 rows of ``../shared/data/jobspikr/export_2021.csv``, the distinct job it belongs to,
labelled by reading the records (cross-board copies of one requisition are one job; the
same title in another city, a staffing firm's template for another client, a sibling role
are not). The real ad text stays in ``../shared`` (third-party text, not copied here); the
labels file holds ids, group names and the reasons.

Around the real rows, variations that imitate what boards and the legacy scraper do, each
inheriting its source row's label, and hard negatives with labels of their own:

- **legacy copies** of a third of the rows: page chrome before the description ("Full-time
  3 hours ago Full Job Description"), doubled spaces in titles, locations as "Chicago, IL",
  "Hartford, CT 06103", "Cambridge, MA, US", post dates as 10/03/2021, Oct 3, 2021,
  "3 days ago" or ISO;
- **board copies** of a sixth of the rows (a new ``uniq_id`` on another board): title
  suffixes (" - Remote", " | Full Time", " - Job ID 48213"), "Senior" written "Sr",
  description prefixes ("Job description:", "Description:", "Apply today!");
- **hard negatives** for a sixth of the rows: the same posting moved to another city (a
  multi-location requisition's other listing), which is a different job.

Groups are split into a tuning half and a held-out half by a hash of the group name, so
no threshold can be tuned on the held-out half by accident: the split is fixed before any
rule is written.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from jobspikr.timestamps import parse_timestamp
from local_stack.airflow_env import PROJECT_ROOT
from standin_api.real_rows import REAL_EXPORT, real_records

LABELS = PROJECT_ROOT / "bench" / "dedup_labels" / "real_groups.csv"
#: Cities a multi-location requisition's other listing moves to (hard negatives).
OTHER_CITIES = (("Denver", "CO", "Colorado"), ("Atlanta", "GA", "Georgia"), ("Seattle", "WA", "Washington"),
                 ("Boston", "MA", "Massachusetts"), ("Dallas", "TX", "Texas"))
_ZIPS = {"CT": "06103", "MA": "02139", "NY": "10001", "CA": "94105", "TX": "75201", "IL": "60601"}


@dataclass
class LabelledSet:
    """JobsPikr records and legacy rows to land, with the truth and the half of each."""

    records: list[dict[str, Any]] = field(default_factory=list)
    legacy_rows: list[dict[str, Any]] = field(default_factory=list)
    #: ``source:source_record_id`` -> the job it belongs to.
    truth: dict[str, str] = field(default_factory=dict)
    #: ``source:source_record_id`` -> ``tuning`` or ``held-out``.
    half: dict[str, str] = field(default_factory=dict)
    #: ``source:source_record_id`` -> what was done to make the record (a copy's drift, a
    #: hard negative's kind); absent for the real rows and the variations of the first set.
    kinds: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, group: str, kind: str | None = None, *, near: str | None = None) -> None:
        """Label ``key`` as a record of ``group``. A hard negative made from a job may name it
        as ``near``: it then takes that job's half, so it is scored against the job it could
        be mistaken for (in its own half it would never meet it)."""
        self.truth[key] = group
        self.half[key] = half_of(near or group)
        if kind:
            self.kinds[key] = kind

    def keys_in(self, half: str) -> list[str]:
        """The record keys of one half (``tuning`` or ``held-out``)."""
        return [key for key, h in self.half.items() if h == half]


def half_of(group: str) -> str:
    return "held-out" if int(hashlib.md5(group.encode(), usedforsecurity=False).hexdigest(), 16) % 2 else "tuning"


def available() -> bool:
    return REAL_EXPORT.exists() and LABELS.exists()


def labelled_rows() -> list[tuple[dict[str, Any], str]]:
    """Each real row (a fresh copy, free to change) with its hand label, in export order."""
    rows = [dict(record) for record in real_records()]
    labels = {row["uniq_id"]: row["group_id"] for row in csv.DictReader(LABELS.open(newline="", encoding="utf-8"))}
    missing = [row["uniq_id"] for row in rows if row["uniq_id"] not in labels]
    if missing:
        raise SystemExit(f"{LABELS.name} has no label for {len(missing)} real row(s), e.g. {missing[0]}")
    return [(row, labels[row["uniq_id"]]) for row in rows]


def real_set() -> LabelledSet:
    """The real rows, their labels, and the variations around them (deterministic)."""
    labelled = LabelledSet()
    for n, (record, group) in enumerate(labelled_rows()):
        labelled.records.append(record)
        labelled.add(f"jobspikr:{record['uniq_id']}", group)
        if n % 3 == 0:
            legacy = legacy_copy(record, len(labelled.legacy_rows) + 1, n)
            labelled.legacy_rows.append(legacy)
            labelled.add(f"legacy:{legacy['id']}", group)
        if n % 6 == 1:
            copy = board_copy(record, n)
            labelled.records.append(copy)
            labelled.add(f"jobspikr:{copy['uniq_id']}", group)
        if n % 6 == 4 and record.get("city"):
            other = other_city(record, n)
            labelled.records.append(other)
            labelled.add(f"jobspikr:{other['uniq_id']}", f"{group}@{other['city']}")
    return labelled


def new_id(record: dict[str, Any], purpose: str) -> str:
    """A ``uniq_id`` of 32 hex characters for a record made from ``record`` for ``purpose``."""
    return hashlib.md5(f"{purpose}:{record['uniq_id']}".encode(), usedforsecurity=False).hexdigest()


def board_copy(record: dict[str, Any], n: int) -> dict[str, Any]:
    suffix = (" - Remote", " | Full Time", f" - Job ID {48213 + n}")[n % 3]
    title = record["job_title"].replace("Senior", "Sr") + suffix
    prefix = ("Job description: ", "Description: ", "Apply today! ")[n % 3]
    board = "dice" if record["job_board"] != "dice" else "indeed"
    return {**record, "uniq_id": new_id(record, "board"), "cursor": record["cursor"] + 17 + n,
            "job_board": board, "job_title": title, "url": f"https://{board}.example/job/{n}",
            "job_description": prefix + (record.get("job_description") or "")}


def other_city(record: dict[str, Any], n: int) -> dict[str, Any]:
    city, state, state_name = OTHER_CITIES[n % len(OTHER_CITIES)]
    if city == record.get("city"):
        city, state, state_name = OTHER_CITIES[(n + 1) % len(OTHER_CITIES)]
    return {**record, "uniq_id": new_id(record, "city"), "cursor": record["cursor"] + 31 + n,
            "city": city, "state": state, "inferred_city": city, "inferred_state": state_name,
            "url": f"{record['url']}?loc={city.lower()}"}


def legacy_copy(record: dict[str, Any], legacy_id: int, n: int) -> dict[str, Any]:
    """What the legacy scraper wrote for the same posting."""
    crawled = parse_timestamp(record["crawl_timestamp"])
    if crawled is None:
        raise ValueError(f"a real row's crawl_timestamp is not a timestamp: {record['crawl_timestamp']!r}")
    scraped = crawled + timedelta(hours=5 + n % 20)
    posted = datetime.fromisoformat(record["post_date"])
    age = (scraped.date() - posted.date()).days
    posted_at = (posted.strftime("%m/%d/%Y"), posted.strftime("%b %-d, %Y"),
                 f"{age} days ago" if age > 0 else "today", posted.strftime("%Y-%m-%d"))[n % 4]
    city, state = record.get("city") or record.get("inferred_city"), record.get("state") or ""
    location = (f"{city}, {state}", f"{city}, {state} {_ZIPS.get(state, '30301')}", f"{city}, {state}, US")[n % 3]
    if record.get("is_remote") == "true" or not city:
        location = "Remote"
    title = record["job_title"].replace(" ", "  ", 1) if n % 2 else record["job_title"]
    chrome = ("Full-time 3 hours ago Full Job Description ", "4.1 out of 5 stars Full-time ", "")[n % 3]
    return {
        "id": legacy_id,
        "source_site": ("indeed", "linkedin", "glassdoor")[n % 3],
        "external_id": record["uniq_id"][:12],
        "url": record["url"] + "?src=scraper",
        "title": title,
        "company": record["company_name"],
        "location": location,
        "description_html": f"<div>{chrome}</div>{record.get('html_job_description') or ''}",
        "salary_text": record.get("salary_offered"),
        "posted_at": posted_at,
        "scraped_at": scraped,
    }
