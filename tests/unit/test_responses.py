"""Response validation, including the real recorded response (conformance)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jobspikr.errors import JobsPikrResponseError
from jobspikr.responses import parse_page

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "jobspikr"


def page(**overrides: Any) -> dict[str, Any]:
    body = {"status": "success", "next_cursor": 11, "total_count": 2, "job_credit_remaining": 5,
            "job_data": [{"uniq_id": "a", "cursor": 5}, {"uniq_id": "b", "cursor": 10}], **overrides}
    if "size" not in overrides and isinstance(body["job_data"], list):
        body["size"] = len(body["job_data"])
    return body


def test_recorded_2019_response_parses_with_the_pipeline_code_path() -> None:
    sample = SHARED / "v2_data_response_2019.json"
    if not sample.exists():
        pytest.skip("../shared/data/jobspikr is not beside this clone")
    parsed = parse_page(json.loads(sample.read_text()), host="recorded", requested_cursor=None)
    assert [r["uniq_id"] for r in parsed.records] == ["d705166877afba926ecdc5c24e722710"]
    assert parsed.next_cursor == 1561035753055053 == parsed.records[0]["cursor"] + 1
    # a next_cursor came with the last page: jobspikr.paging asks once more (tests/unit/test_paging.py)
    assert (parsed.total_count, parsed.credits_remaining) == (1, 10000)


@pytest.mark.parametrize(("payload", "message", "retryable"), [
    ([1, 2], "not a JSON object", True),
    (page(status="error", message="quota"), "status 'error': quota", False),
    (page(job_data={"a": 1}), "job_data is a dict", True),
    (page(next_cursor=3), "does not advance", True),
    (page(total_count="many"), "total_count", True),
    (page(size=3), "size says 3 records but job_data holds 2", True),
])
def test_invalid_responses_raise_with_context(payload: Any, message: str, retryable: bool) -> None:
    """A wrong shape may be a glitch (the hook asks again, then fails for good); an
    ``error`` status is the server's deliberate answer."""
    with pytest.raises(JobsPikrResponseError, match=message) as raised:
        parse_page(payload, host="https://api.example/v2", requested_cursor=42)
    assert "https://api.example/v2" in str(raised.value) and "cursor 42" in str(raised.value)
    assert raised.value.retryable is retryable


def test_unkeyable_records_are_rejected_with_reasons_and_the_rest_kept() -> None:
    parsed = parse_page(page(job_data=[{"cursor": 1}, {"uniq_id": "a", "cursor": 5}, "junk",
                                       {"uniq_id": "b", "cursor": "7"}, {"uniq_id": "c", "cursor": 9}]),
                        host="h", requested_cursor=0)
    assert [r["uniq_id"] for r in parsed.records] == ["a", "c"]
    assert [(r.position, r.reason.split("] ")[1]) for r in parsed.rejected] == [
        (0, "has no uniq_id"), (2, "is a str, not an object"), (3, "(uniq_id b) has no integer cursor")]


def test_a_page_of_only_rejects_is_not_mistaken_for_the_end() -> None:
    parsed = parse_page(page(job_data=[{"cursor": 5}]), host="h", requested_cursor=0)
    assert parsed.records == [] and len(parsed.rejected) == 1 and parsed.resume_cursor == 11


def test_ids_no_key_can_hold_and_cursors_no_bigint_holds_are_rejected_with_reasons() -> None:
    parsed = parse_page(page(next_cursor=None, job_data=[
        {"uniq_id": "ab\x00cd", "cursor": 1}, {"uniq_id": "x" * 201, "cursor": 2},
        {"uniq_id": "huge", "cursor": 2**63}, {"uniq_id": "negative", "cursor": -1},
        {"uniq_id": "max", "cursor": 2**63 - 2}]), host="h", requested_cursor=0)
    assert [r["uniq_id"] for r in parsed.records] == ["max"]
    reasons = [r.reason.split("] ")[1] for r in parsed.rejected]
    assert reasons[0] == "has a NUL character in its uniq_id ('ab<NUL>cd')"
    assert reasons[1].startswith("has a uniq_id of 201 characters (at most 200 are kept")
    assert reasons[2] == ("(uniq_id huge) has cursor 9223372036854775808, outside the range a cursor can have "
                          "(0..9223372036854775806, a bigint with room to resume past it)")
    assert reasons[3].startswith("(uniq_id negative) has cursor -1, outside")


@pytest.mark.parametrize("next_cursor", [2**63, -1])
def test_a_next_cursor_no_watermark_can_hold_is_a_retryable_malformed_page(next_cursor: int) -> None:
    with pytest.raises(JobsPikrResponseError, match=f"next_cursor {next_cursor} is outside") as raised:
        parse_page(page(next_cursor=next_cursor), host="h", requested_cursor=0)
    assert raised.value.retryable
