"""The personal data policy on single records: what each action stores, in the contact
fields and in the free text; the patterns that find contact values in text (what they
must find, and the numbers of a job ad they must leave alone)."""

from __future__ import annotations

import pytest
from hypothesis import given

from devkit.contact_values import email_addresses, numbers_of_a_job_ad, phone_numbers, prose
from jobspikr.errors import JobsPikrConfigError
from jobspikr_pipeline.personal_data import PersonalDataPolicy, configured_in_text

FIELDS = {"contact_email": "hash", "contact_phone_number": "hash"}
TEXT = ("job_title", "job_description")
EMAIL_REMOVED, PHONE_REMOVED = "[email removed]", "[phone removed]"


def policy(key: bytes | None = b"k" * 32, **fields: str) -> PersonalDataPolicy:
    return PersonalDataPolicy(fields={**FIELDS, **fields}, in_text=configured_in_text(), text_fields=TEXT,
                              free_text_fields=("job_description",), key=key)


DROP = policy(contact_email="drop", contact_phone_number="drop")


def record(**fields: object) -> dict[str, object]:
    return {"uniq_id": "u1", "cursor": 1, "contact_email": "Jane.Doe@Acme.com",
            "contact_phone_number": "+1 (555) 010-2030", "job_title": "Data Engineer",
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
    # in the free text, the same pseudonyms: the text still names the same person, joinably
    assert stored["job_description"] == \
        f"Questions? Write to {stored['contact_email']} or call {stored['contact_phone_number']}."
    assert "acme" not in str(stored).lower()


def test_values_in_text_are_found_by_pattern_whoever_they_belong_to() -> None:
    text = "Apply: hr@other-corp.co.uk, (555) 010-9999 or 555.010.8888; title by ops@x.io"
    stored = policy().apply(record(contact_email=None, contact_phone_number=None, job_description=text,
                                   job_title="Engineer - call +44 20 7946 0958"))
    hashed = policy()
    assert stored["job_description"] == (
        f"Apply: {hashed.pseudonym('contact_email', 'hr@other-corp.co.uk')}, "
        f"{hashed.pseudonym('contact_phone_number', '5550109999')} or "
        f"{hashed.pseudonym('contact_phone_number', '5550108888')}; title by "
        f"{hashed.pseudonym('contact_email', 'ops@x.io')}")
    assert stored["job_title"] == f"Engineer - call {hashed.pseudonym('contact_phone_number', '442079460958')}"
    assert DROP.apply(record(job_description=text))["job_description"] == \
        f"Apply: {EMAIL_REMOVED}, {PHONE_REMOVED} or {PHONE_REMOVED}; title by {EMAIL_REMOVED}"


def test_the_records_own_values_are_found_as_written_but_a_placeholder_is_not_a_value() -> None:
    # a number no pattern takes for a phone (its shape is an id's), named by the record's field
    text = "Call 555-0100-2030 or 5550100203. Confidential."
    stored = DROP.apply(record(contact_phone_number="555-0100-2030", job_description=text))
    assert stored["job_description"] == f"Call {PHONE_REMOVED} or 5550100203. Confidential."
    placeholder = DROP.apply(record(contact_email="Confidential", contact_phone_number="N/A",
                                    job_description=text))
    assert placeholder["job_description"] == text


def test_applying_twice_changes_nothing_more() -> None:
    once = policy().apply(record())
    assert policy().apply(once) == once
    dropped = DROP.apply(record())
    assert DROP.apply(dropped) == dropped


def test_drop_removes_the_field_and_its_values_in_text_and_keep_stores_them_as_sent() -> None:
    dropped = policy(contact_email="drop").apply(record())
    assert "contact_email" not in dropped and EMAIL_REMOVED in dropped["job_description"]
    assert dropped["contact_phone_number"] in dropped["job_description"]  # hashed, in text too
    kept = policy(contact_email="keep").apply(record())
    assert kept["contact_email"] == "Jane.Doe@Acme.com" and "jane.doe@acme.com" in kept["job_description"]
    assert kept["contact_phone_number"].startswith("hmac:")


def test_a_record_without_contact_values_is_stored_as_it_came() -> None:
    plain = {"uniq_id": "u2", "cursor": 2, "contact_email": None, "contact_phone_number": "",
             "job_description": "Salary 25000-30000, posted 2026-11-20, ref 1234567890."}
    assert policy().apply(plain) is plain


def test_a_policy_that_hashes_without_a_key_or_names_an_unknown_action_is_refused() -> None:
    with pytest.raises(JobsPikrConfigError, match="JOBSPIKR_PERSONAL_DATA_KEY is not set"):
        policy(key=None)
    with pytest.raises(JobsPikrConfigError, match="contact_email is 'mask': use keep, hash or drop"):
        policy(contact_email="mask")
    assert policy(key=None, contact_email="keep", contact_phone_number="drop")  # no key needed
    with pytest.raises(JobsPikrConfigError, match="in_text names fax, not a field"):
        PersonalDataPolicy(fields={}, in_text={"fax": configured_in_text()["contact_email"]})


def test_the_configured_policy_is_dbt_projects_var_with_the_environment_key(monkeypatch) -> None:
    monkeypatch.setenv("JOBSPIKR_PERSONAL_DATA_KEY", "from-the-environment")
    configured = PersonalDataPolicy.configured()
    assert dict(configured.fields) == FIELDS and configured.key == b"from-the-environment"
    assert "job_description" in configured.free_text_fields and configured.retention_days == 365
    assert set(configured.in_text) == set(FIELDS)
    assert {"job_title", "job_description", "html_job_description"} <= set(configured.text_fields)
    assert configured.snapshot_free_text_columns == ("description",)


# -- the patterns -------------------------------------------------------------------------

@given(before=prose, phone=phone_numbers(), after=prose)
def test_a_phone_number_in_text_is_found_whole(before: str, phone: str, after: str) -> None:
    text = f"{before} {phone} {after}"
    assert DROP.scrub(text) == f"{before} {PHONE_REMOVED} {after}"


@given(before=prose, address=email_addresses(), after=prose)
def test_an_email_address_in_text_is_found_whole(before: str, address: str, after: str) -> None:
    assert DROP.scrub(f"{before} {address}. {after}") == f"{before} {EMAIL_REMOVED}. {after}"


@given(before=prose, number=numbers_of_a_job_ad(), after=prose)
def test_salaries_dates_and_ids_are_not_taken_for_contact_values(before: str, number: str, after: str) -> None:
    text = f"{before} {number} {after}"
    # a bare run of digits of a phone's length is an id here, or a phone written without
    # any shape: only the record's own contact field can say which
    assert DROP.scrub(text) == text


@pytest.mark.parametrize(("text", "found"), [
    ("Call +1 (555) 010-2030.", "+1 (555) 010-2030"),
    ("Tel. +44 20 7946 0958 (office)", "+44 20 7946 0958"),
    ("WhatsApp +919876543210", "+919876543210"),
    ("Phone: (555) 010-2030 ext 4", "(555) 010-2030"),
    ("or 555.010.2030!", "555.010.2030"),
    ("1-800-555-0199", "800-555-0199"),
])
def test_phone_shapes(text: str, found: str) -> None:
    assert DROP.scrub(text) == text.replace(found, PHONE_REMOVED)


@pytest.mark.parametrize("text", [
    "Salary 25000-30000 per annum", "$120,000 - $150,000", "Posted 2026-11-20", "Job id 1234567890",
    "Ref 20261120031500", "INR 4,00,000 - 6,00,000", "10:30-18:00", "Req #555-0100-20", "ISBN 978-3-16-148410-0",
])
def test_numbers_that_are_not_phones(text: str) -> None:
    assert DROP.scrub(text) == text
