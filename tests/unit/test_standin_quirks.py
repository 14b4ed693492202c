"""``Catalogue(real_quirks=True)``: each of the real API's quirks the notes list, deterministic per seed."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from standin_api import RECORD_FIELDS, Catalogue
from standin_api.quirks import (
    COMPANY_PLACEHOLDERS,
    EXTRA_FIELDS,
    JOB_TYPE_PLACEHOLDERS,
    OPTIONAL_FIELDS,
    WORK_MODE_FROM,
)

CATALOGUE = Catalogue(seed=3, size=2_000, real_quirks=True)
RECORDS = [CATALOGUE.record(i) for i in range(CATALOGUE.size)]
PLAIN = [replace(CATALOGUE, real_quirks=False).record(i) for i in range(CATALOGUE.size)]
IDENTITY = ("uniq_id", "cursor", "post_date", "crawl_timestamp", "job_title", "url", "job_board")


def test_off_by_default_and_deterministic_per_seed() -> None:
    assert not Catalogue().real_quirks
    again = Catalogue(seed=3, size=2_000, real_quirks=True)
    assert [again.record(i) for i in (0, 777, 1999)] == [RECORDS[0], RECORDS[777], RECORDS[1999]]
    assert Catalogue(seed=4, size=2_000, real_quirks=True).record(5) != RECORDS[5]


def test_identity_and_the_fields_every_record_needs_are_never_touched() -> None:
    for quirky, plain in zip(RECORDS, PLAIN, strict=True):
        assert {name: quirky[name] for name in IDENTITY} == {name: plain[name] for name in IDENTITY}
        assert quirky["city"].split("|")[0] == plain["city"]
        assert quirky.get("inferred_city") == plain.get("inferred_city")


def test_placeholders_for_company_contacts_and_job_type() -> None:
    companies = Counter(r["company_name"] for r in RECORDS if r["company_name"] in COMPANY_PLACEHOLDERS)
    assert set(companies) == set(COMPANY_PLACEHOLDERS) and 40 < sum(companies.values()) < 200
    for name in ("contact_email", "contact_phone_number"):
        assert {r.get(name) for r in RECORDS} - {None} == set(COMPANY_PLACEHOLDERS)
    job_types = Counter(r["job_type"] for r in RECORDS)
    assert all(job_types[placeholder] > 20 for placeholder in JOB_TYPE_PLACEHOLDERS)


def test_several_cities_in_one_city_with_state_null() -> None:
    several = [r for r in RECORDS if "|" in r["city"]]
    assert 40 < len(several) < 150
    assert all(r["state"] is None and all(part.strip() for part in r["city"].split("|")) for r in several)


def test_duplicate_flag_is_true_only_for_real_re_posts_and_names_the_original() -> None:
    assert {r["duplicate_status"] for r in RECORDS} == {"NA", "true", "false"}
    flagged = [i for i, r in enumerate(RECORDS) if r["duplicate_status"] == "true"]
    re_posts = [i for i in range(CATALOGUE.size) if CATALOGUE.job_of(i) != i]
    assert set(flagged) < set(re_posts) and len(flagged) > len(re_posts) // 2  # most, never an original
    for i in flagged:
        assert RECORDS[i]["duplicate_of"] == RECORDS[CATALOGUE.job_of(i)]["uniq_id"]
    assert all(r.get("duplicate_of") is None for r in RECORDS if r["duplicate_status"] != "true")


def test_extra_fields_each_with_its_own_share_and_one_that_starts_mid_feed() -> None:
    carried = Counter(name for r in RECORDS for name in r if name not in RECORD_FIELDS)
    assert set(EXTRA_FIELDS) | {"last_expiry_check_date"} == set(carried)
    for name, share in EXTRA_FIELDS.items():
        if name != "inferred_work_mode":
            assert abs(carried[name] / len(RECORDS) - share) < 0.06, name
    start = int(CATALOGUE.size * WORK_MODE_FROM) + 1
    assert all("inferred_work_mode" not in r for r in RECORDS[:start - 1])
    assert sum("inferred_work_mode" in r for r in RECORDS[start:]) > 0.8 * len(RECORDS[start:])
    assert all(isinstance(r["extra_fields"], dict) for r in RECORDS if "extra_fields" in r)


def test_older_feeds_last_expiry_check_date_instead_of_latest() -> None:
    older = [r for r in RECORDS if "last_expiry_check_date" in r]
    assert 100 < len(older) < 300 and all("latest_expiry_check_date" not in r for r in older)
    assert all(("latest_expiry_check_date" in r) != ("last_expiry_check_date" in r) for r in RECORDS)


def test_nulls_and_keys_left_out_among_the_optional_fields() -> None:
    left_out = Counter(name for r in RECORDS for name in OPTIONAL_FIELDS if name not in r)
    nulled = Counter(name for r, p in zip(RECORDS, PLAIN, strict=True) for name in OPTIONAL_FIELDS
                     if name in r and r[name] is None and p.get(name) is not None)
    assert len(left_out) > 10 and len(nulled) > 10  # spread over many fields
    assert sum(any(n not in r for n in OPTIONAL_FIELDS if n in p) for r, p in zip(RECORDS, PLAIN, strict=True)) > 200
