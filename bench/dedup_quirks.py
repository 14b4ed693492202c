"""Variant 2 of the real labelled set: the same real rows, carrying the real API's quirks.

The first set (``bench/dedup_real.py``) lands the real rows as the 2021 export wrote them;
the live API sends values the export never showed (``../shared/docs/jobspikr-api.md``).
This variant builds the same rows, legacy copies, board copies and other-city negatives, with
the same labels, but as the API would send them, so a rule that reads those values is
measured on them:

- **placeholders**: ``Unspecified`` / ``NA`` / ``na`` / ``unspecified`` as the company of some
  board copies (still the same job) and of some unrelated real rows (a placeholder is never an
  identity: two ads "by" ``Unspecified`` share nothing), and in the contact fields;
  ``Undefined`` / ``Not specified`` as ``job_type``;
- **several cities in one** ``city`` joined by ``|`` with ``state`` null (a copy of an Austin
  ad whose city is ``Austin|Dallas|Houston``), on some copies and some real rows;
- **JobsPikr's duplicate flag**: ``duplicate_status`` as ``NA`` / ``true`` / ``false``, most
  board copies flagged ``duplicate_of`` their original (right), some other-city negatives
  flagged ``duplicate_of`` theirs (wrong: the flag is evidence, not truth), and some true
  copies left unflagged;
- **unknown fields**: names seen only in client code (``inferred_work_mode``,
  ``job_desc_char_count``, ``segment_name``), one never seen, and an ``extra_fields`` object;
- **halves**: a hard negative takes the half of the job it was made from (``near``), so
  it is scored against the record it could be mistaken for; the first set's other-city
  negatives are split on their own label and so meet their original only half the time;
- **the bridge**: a job posted in five cities (five jobs, hard negatives of each other) and a
  copy of the first titled "... (Remote)" - a remote copy matches every city, and once
  matched to all five it can merge them. Two such families, built from real rows, one in
  each half.

Every made record has a kind in ``LabelledSet.kinds`` so the benchmark can say which quirk
loses pairs. The construction is deterministic (chosen by row number, no randomness).
"""

from __future__ import annotations

from typing import Any

from bench.dedup_real import (
    OTHER_CITIES,
    LabelledSet,
    board_copy,
    half_of,
    labelled_rows,
    legacy_copy,
    new_id,
    other_city,
)

COMPANY_PLACEHOLDERS = ("Unspecified", "NA", "na", "unspecified")
JOB_TYPE_PLACEHOLDERS = ("Undefined", "Not specified")
#: Cities a multi-city ``city`` adds to the record's own.
_MORE_CITIES = ("Dallas", "Houston", "Phoenix", "Denver", "Miami")
#: How many cities the bridge family's job is posted in.
FAMILY_CITIES = 5


def quirks_set() -> LabelledSet:
    """The real rows and their variations, as the API sends them (deterministic)."""
    labelled = LabelledSet()
    rows = labelled_rows()
    family_rows = _family_rows(rows)
    for n, (original, group) in enumerate(rows):
        record = _api_values(dict(original), n)
        kind = None
        if n in family_rows:
            kind = "five-city family, first city"
        elif n % 23 == 7:
            record["company_name"] = COMPANY_PLACEHOLDERS[n % 4]
            kind = "real row, company placeholder"
        elif n % 29 == 11 and record.get("city"):
            record.update(city=_several_cities(record["city"], n), state=None)
            kind = "real row, several cities"
        labelled.records.append(record)
        labelled.add(f"jobspikr:{record['uniq_id']}", group, kind)
        if n % 3 == 0:
            legacy = legacy_copy(original, len(labelled.legacy_rows) + 1, n)
            labelled.legacy_rows.append(legacy)
            labelled.add(f"legacy:{legacy['id']}", group)
        if n % 6 == 1:
            copy, kind = _board_copy(original, n)
            labelled.records.append(copy)
            labelled.add(f"jobspikr:{copy['uniq_id']}", group, kind)
        if n % 6 == 4 and original.get("city"):
            other = _api_values(other_city(original, n), n)
            kind = "other city"
            if (n // 6) % 3 == 0:
                other.update(duplicate_status="true", duplicate_of=original["uniq_id"])
                kind = "other city, wrongly flagged duplicate"
            labelled.records.append(other)
            labelled.add(f"jobspikr:{other['uniq_id']}", f"{group}@{other['city']}", kind, near=group)
        if n in family_rows:
            _add_family(labelled, original, group, n)
    return labelled


def _api_values(record: dict[str, Any], n: int) -> dict[str, Any]:
    """The values the API sends where the export had none or its own: placeholders in the
    contact fields and ``job_type``, the duplicate flag as a string, unknown fields."""
    if n % 2 == 0:
        record["contact_email"] = ("na", "NA", "unspecified")[n % 3]
        record["contact_phone_number"] = "NA"
    if n % 7 == 3:
        record["job_type"] = JOB_TYPE_PLACEHOLDERS[n % 2]
    record["duplicate_status"] = "NA" if n % 2 else "false"
    record["duplicate_of"] = None
    if n % 5 == 2:
        record.update(inferred_work_mode="on-site", job_desc_char_count=len(record.get("job_description") or ""),
                      segment_name="job_board", a_field_never_documented=[n, "x"],
                      extra_fields={"ats": "greenhouse", "requisition": f"R-{1000 + n}", "tags": ["ds"]})
    return record


def _board_copy(original: dict[str, Any], n: int) -> tuple[dict[str, Any], str]:
    """A board copy, most flagged a duplicate of its original; some with a placeholder
    company, several cities or a placeholder ``job_type``; some unflagged."""
    copy = _api_values(board_copy(original, n), n + 1)
    m = n // 6
    kind = "board copy, flagged duplicate"
    if m % 6 == 3:
        copy["company_name"] = COMPANY_PLACEHOLDERS[m % 4]
        kind = "board copy, company placeholder"
    elif m % 6 == 4 and original.get("city"):
        copy.update(city=_several_cities(original["city"], m), state=None)
        kind = "board copy, several cities"
    elif m % 6 == 1:
        copy["job_type"] = JOB_TYPE_PLACEHOLDERS[m % 2]
        kind = "board copy, job_type placeholder"
    if m % 6 == 5:
        copy["duplicate_status"] = ("false", "NA")[m % 2]
        kind = "board copy, unflagged"
    else:
        copy.update(duplicate_status="true", duplicate_of=original["uniq_id"])
    return copy, kind


def _several_cities(city: str, n: int) -> str:
    """``city`` among others, joined by ``|`` as JobsPikr does (not always first)."""
    others = [c for c in _MORE_CITIES if c != city]
    cities = [others[n % len(others)], others[(n + 1) % len(others)]]
    cities.insert(n % 3, city)
    return "|".join(cities)


def _family_rows(rows: list[tuple[dict[str, Any], str]]) -> set[int]:
    """The rows the bridge families are built from: the first in each half of a one-row job
    in a named city, with no board copy or other-city negative of its own."""
    sizes: dict[str, int] = {}
    for _, group in rows:
        sizes[group] = sizes.get(group, 0) + 1
    chosen: dict[str, int] = {}
    for n, (record, group) in enumerate(rows):
        if (n % 6 not in (1, 4) and sizes[group] == 1 and record.get("city") and record.get("is_remote") != "true"
                and "remote" not in record["job_title"].lower() and record["city"] != "Remote"):
            chosen.setdefault(half_of(group), n)
    return set(chosen.values())


def _add_family(labelled: LabelledSet, original: dict[str, Any], group: str, n: int) -> None:
    """The job in four more cities (jobs of their own), and a "(Remote)" copy of the first."""
    cities = [c for c in OTHER_CITIES if c[0] != original["city"]][: FAMILY_CITIES - 1]
    for i, (city, state, state_name) in enumerate(cities):
        sibling = _api_values({**original, "uniq_id": new_id(original, f"family:{city}"),
                               "cursor": original["cursor"] + 41 + i, "city": city, "state": state,
                               "inferred_city": city, "inferred_state": state_name,
                               "url": f"{original['url']}?family={city.lower()}"}, n)
        labelled.records.append(sibling)
        labelled.add(f"jobspikr:{sibling['uniq_id']}", f"{group}@{city}", "five-city family, other city",
                     near=group)
    remote = _api_values({**original, "uniq_id": new_id(original, "family:remote"), "cursor": original["cursor"] + 53,
                          "job_title": f"{original['job_title']} (Remote)", "is_remote": "true",
                          "job_board": "dice" if original["job_board"] != "dice" else "indeed",
                          "url": f"https://remote.example/job/{n}"}, n + 1)
    labelled.records.append(remote)
    labelled.add(f"jobspikr:{remote['uniq_id']}", group, "five-city family, (Remote) copy of the first")
