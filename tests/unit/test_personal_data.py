"""The personal data policy on single records: what each action stores."""

from __future__ import annotations

import pytest

from jobspikr.errors import JobsPikrConfigError
from jobspikr_pipeline.personal_data import PersonalDataPolicy

FIELDS = {"contact_email": "hash", "contact_phone_number": "hash"}
TEXT = ("job_description",)


def policy(key: bytes | None = b"k" * 32, **fields: str) -> PersonalDataPolicy:
    return PersonalDataPolicy(fields={**FIELDS, **fields}, free_text_fields=TEXT, key=key)


def record(**fields: object) -> dict[str, object]:
    return {"uniq_id": "u1", "cursor": 1, "contact_email": "Jane.Doe@Acme.com",
            "contact_phone_number": "+1 (555) 010-2030",
            "job_description": "Questions? Write to jane.doe@acme.com or call +1 (555) 010-2030.", **fields}


def test_hash_stores_a_keyed_pseudonym_that_still_joins_the_same_person() -> None:
    stored = policy().apply(record())
    assert stored["contact_email"].startswith("hmac:") and len(stored["contact_email"]) == 69
    # the same person however spelt: case and spaces, phone punctuation
    again = policy().apply(record(contact_email=" jane.doe@acme.COM ", contact_phone_number="15550102030"))
    assert (again["contact_email"], again["contact_phone_number"]) == \
        (stored["contact_email"], stored["contact_phone_number"])
    # another key, another pseudonym: without the key a dictionary of addresses reveals nothing
    assert policy(key=b"other" * 8).apply(record())["contact_email"] != stored["contact_email"]
    # the fields' values are gone from the free text too
    assert stored["job_description"] == "Questions? Write to [contact_email] or call [contact_phone_number]."
    assert "acme" not in str(stored).lower().replace("[contact_email]", "")


def test_applying_twice_changes_nothing_more() -> None:
    once = policy().apply(record())
    assert policy().apply(once) == once


def test_drop_removes_the_field_and_keep_stores_it_as_sent() -> None:
    dropped = policy(contact_email="drop").apply(record())
    assert "contact_email" not in dropped and "[contact_email]" in dropped["job_description"]
    kept = policy(contact_email="keep").apply(record())
    assert kept["contact_email"] == "Jane.Doe@Acme.com" and "jane.doe@acme.com" in kept["job_description"]
    assert kept["contact_phone_number"].startswith("hmac:")


def test_missing_and_empty_values_stay_as_they_are() -> None:
    stored = policy().apply({"uniq_id": "u2", "cursor": 2, "contact_email": None, "contact_phone_number": ""})
    assert stored == {"uniq_id": "u2", "cursor": 2, "contact_email": None, "contact_phone_number": ""}


def test_a_policy_that_hashes_without_a_key_or_names_an_unknown_action_is_refused() -> None:
    with pytest.raises(JobsPikrConfigError, match="JOBSPIKR_PERSONAL_DATA_KEY is not set"):
        policy(key=None)
    with pytest.raises(JobsPikrConfigError, match="contact_email is 'mask': use keep, hash or drop"):
        policy(contact_email="mask")
    assert policy(key=None, contact_email="keep", contact_phone_number="drop")  # no key needed


def test_the_configured_policy_is_dbt_projects_var_with_the_environment_key(monkeypatch) -> None:
    monkeypatch.setenv("JOBSPIKR_PERSONAL_DATA_KEY", "from-the-environment")
    configured = PersonalDataPolicy.configured()
    assert dict(configured.fields) == FIELDS and configured.key == b"from-the-environment"
    assert "job_description" in configured.free_text_fields and configured.retention_days == 365
