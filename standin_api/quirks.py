"""The real API's quirks, on top of a generated record (``Catalogue(real_quirks=True)``).

Everything here is what ``shared/docs/jobspikr-api.md`` says real JobsPikr sends and the
plain generator does not, so the client, the loader and the models can be tested against
it rather than against a tidier feed:

- placeholders for a missing value: ``Unspecified`` / ``NA`` / ``na`` / ``unspecified`` in
  ``company_name`` and the contact fields, ``Undefined`` / ``Not specified`` in ``job_type``;
- several cities in one ``city``, joined by ``|``, with ``state`` null;
- ``duplicate_status`` as the strings ``NA`` / ``true`` / ``false``, ``true`` only for a
  record that really re-posts another (``Catalogue.job_of``), with ``duplicate_of`` naming
  that record's ``uniq_id``;
- the fields seen only in client code or raw feeds (``EXTRA_FIELDS``) and ``extra_fields``
  (an object), each carried by its own share of records; ``inferred_work_mode`` only from
  two thirds of the catalogue on, as a field JobsPikr starts sending one day would;
- ``last_expiry_check_date`` (older feeds) instead of ``latest_expiry_check_date``;
- more nulls, and keys left out entirely.

A record's quirks are drawn from their own random stream (``seed``, ``index``), so they are
deterministic per seed and leave the plain record's other values as they were. A record's
identity (``uniq_id``, ``cursor``, ``post_date``, ``crawl_timestamp``), its title, URL, board
and usable location are never touched: the real API always sends those.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

COMPANY_PLACEHOLDERS = ("Unspecified", "NA", "na", "unspecified")
JOB_TYPE_PLACEHOLDERS = ("Undefined", "Not specified")
CONTACT_FIELDS = ("contact_email", "contact_phone_number")
DUPLICATE_STATUSES = ("NA", "true", "false")

#: Fields beyond the 42 export columns that real records may carry (the notes' "other
#: names"), each with the share of records that carry it.
EXTRA_FIELDS: dict[str, float] = {
    "is_salary_estimated": 0.6, "inferred_company_name": 0.7, "inferred_work_mode": 0.9,
    "inferred_min_experience": 0.5, "inferred_max_experience": 0.4, "inferred_education_level": 0.3,
    "inferred_onet_soc_code": 0.55, "inferred_onet_soc_job_title": 0.55, "inferred_co_website_url": 0.35,
    "inferred_iso2_lang_code": 0.8, "dataset": 0.75, "domain": 0.65, "segment_name": 0.2,
    "job_desc_char_count": 0.7, "extra_fields": 0.25,
}
#: ``inferred_work_mode`` starts at this fraction of the catalogue (by index, so by cursor):
#: a field that appears mid-feed, for the drift table to notice.
WORK_MODE_FROM = 2 / 3
#: Optional fields a quirky record may send as null or leave out entirely (not ``duplicate_of``:
#: a record flagged a duplicate always names the original).
OPTIONAL_FIELDS = (
    "category", "salary_offered", "geo", "valid_through", "inferred_department_name",
    "inferred_department_score", "inferred_skills", "inferred_company_type", "inferred_company_type_score",
    "inferred_seniority_level", "inferred_iso3_lang_code", "inferred_job_title", "logo_url", "apply_url",
    "contact_email", "contact_phone_number",
)
_OTHER_CITIES = ("Nashik", "Navi Mumbai", "Thane", "Plano", "Round Rock", "Irving", "Cambridge", "Newark",
                 "Bellevue", "Oakland", "Evanston", "Aurora")
_SOC = (("15-2051.00", "Data Scientists"), ("15-1252.00", "Software Developers"),
        ("13-2051.00", "Financial and Investment Analysts"), ("29-1141.00", "Registered Nurses"))

#: How often each quirk happens (per record, each drawn independently).
RATES = {"company_placeholder": 0.05, "contact_placeholder": 0.3, "job_type_placeholder": 0.08,
         "several_cities": 0.04, "flagged_duplicate": 0.6, "last_expiry_check_date": 0.1,
         "nulls": 0.15, "left_out": 0.15}


def with_quirks(record: dict[str, Any], *, index: int, seed: int, size: int, duplicated: int,
                uniq_id_of: Callable[[int], str]) -> dict[str, Any]:
    """``record`` (catalogue record ``index``, a re-post of record ``duplicated`` when that is
    not ``index``) as real JobsPikr might send it; a new dict, the argument is not changed."""
    rng = random.Random(f"{seed}:{index}:quirks")
    out = dict(record)
    if rng.random() < RATES["company_placeholder"]:
        out["company_name"] = rng.choice(COMPANY_PLACEHOLDERS)
    for name in CONTACT_FIELDS:
        if rng.random() < RATES["contact_placeholder"]:
            out[name] = rng.choice(COMPANY_PLACEHOLDERS)
    if rng.random() < RATES["job_type_placeholder"]:
        out["job_type"] = rng.choice(JOB_TYPE_PLACEHOLDERS)
    if rng.random() < RATES["several_cities"] and out.get("city"):
        others = rng.sample([c for c in _OTHER_CITIES if c != out["city"]], k=rng.randint(1, 2))
        out["city"] = "|".join([out["city"], *others])
        out["state"] = None
    _duplicate_flag(out, rng, index=index, duplicated=duplicated, uniq_id_of=uniq_id_of)
    out.update(_extra_fields(out, rng, late=index >= size * WORK_MODE_FROM))
    if rng.random() < RATES["last_expiry_check_date"] and "latest_expiry_check_date" in out:
        out["last_expiry_check_date"] = out.pop("latest_expiry_check_date")
    if rng.random() < RATES["nulls"]:
        for name in rng.sample(OPTIONAL_FIELDS, k=rng.randint(1, 3)):
            out[name] = None
    if rng.random() < RATES["left_out"]:
        for name in rng.sample(OPTIONAL_FIELDS, k=rng.randint(1, 3)):
            out.pop(name, None)
    return out


def _duplicate_flag(out: dict[str, Any], rng: random.Random, *, index: int, duplicated: int,
                    uniq_id_of: Callable[[int], str]) -> None:
    """JobsPikr's own duplicate detection: it flags most re-posts (naming the original) and
    never an original; the rest say ``false`` or ``NA`` (not checked)."""
    if duplicated != index and rng.random() < RATES["flagged_duplicate"]:
        out["duplicate_status"] = "true"
        out["duplicate_of"] = uniq_id_of(duplicated)
        return
    out["duplicate_status"] = rng.choice(("false", "false", "NA"))
    if "duplicate_of" in out:
        out["duplicate_of"] = None


def _extra_fields(record: dict[str, Any], rng: random.Random, *, late: bool) -> dict[str, Any]:
    """The fields beyond the 42 this record carries, each with its own share of records."""
    soc_code, soc_title = rng.choice(_SOC)
    description = record.get("job_description") or ""
    company = record.get("company_name") or ""
    values: dict[str, Any] = {
        "is_salary_estimated": rng.random() < 0.3,
        "inferred_company_name": company.strip(),
        "inferred_work_mode": rng.choice(("onsite", "hybrid", "remote")),
        "inferred_min_experience": rng.randint(0, 5),
        "inferred_max_experience": rng.randint(5, 12),
        "inferred_education_level": rng.choice(("Bachelors", "Masters", "High School", None)),
        "inferred_onet_soc_code": soc_code,
        "inferred_onet_soc_job_title": soc_title,
        "inferred_co_website_url": f"https://www.{''.join(c for c in company.lower() if c.isalnum())[:20]}.com",
        "inferred_iso2_lang_code": "en",
        "dataset": rng.choice(("job_board", "job_board", "f500")),
        "domain": (record.get("url") or "").split("/")[2] if "://" in (record.get("url") or "") else None,
        "segment_name": rng.choice(("tech", "healthcare", "finance")),
        "job_desc_char_count": len(description),
        "extra_fields": {"source_job_id": f"{rng.getrandbits(40):010x}",
                         "benefits": rng.sample(("401k", "dental", "vision", "pto"), k=2)},
    }
    carried = {name: share for name, share in EXTRA_FIELDS.items() if name != "inferred_work_mode" or late}
    return {name: values[name] for name, share in carried.items() if rng.random() < share}
