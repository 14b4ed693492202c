"""The hook's body decoder: a value orjson refuses costs that value, not the page."""

from __future__ import annotations

import orjson
import pytest

from jobspikr.errors import JobsPikrResponseError
from jobspikr.hook import _decode
from jobspikr.responses import parse_page


def body(*records: str) -> bytes:
    return ('{"status": "success", "job_data": [' + ",".join(records) + "]}").encode()


def test_a_number_beyond_a_double_keeps_its_text_and_the_page_lands() -> None:
    content = body('{"uniq_id": "a", "cursor": 1, "inferred_salary_from": 1e400, "score": 0.5}',
                   '{"uniq_id": "b", "cursor": 2, "inferred_salary_to": -1E+999}')
    page = parse_page(_decode(content, "h", "cursor 0"), host="h", requested_cursor=0)
    assert [r["uniq_id"] for r in page.records] == ["a", "b"]
    assert page.records[0]["inferred_salary_from"] == "1e400" and page.records[0]["score"] == 0.5
    assert page.records[1]["inferred_salary_to"] == "-1E+999"


def test_an_integer_beyond_64_bits_keeps_its_text_and_its_record_can_be_stored() -> None:
    """In a body the standard library reads (here for its 1e400), such an integer is kept as
    text, which orjson (the loader's serialiser) can write; a cursor of that kind is a
    rejected record, not a lost page."""
    content = body('{"uniq_id": "a", "cursor": 1, "state": 184467440737095516160, "n": 1e400}',
                   '{"uniq_id": "b", "cursor": 184467440737095516160}')
    page = parse_page(_decode(content, "h", "cursor 0"), host="h", requested_cursor=0)
    assert [r["uniq_id"] for r in page.records] == ["a"] and page.records[0]["state"] == "184467440737095516160"
    assert orjson.dumps(page.records[0]) and len(page.rejected) == 1


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_literals_are_kept_as_their_text(literal: str) -> None:
    decoded = _decode(body(f'{{"uniq_id": "a", "cursor": 1, "salary": {literal}}}'), "h", "cursor 0")
    assert decoded["job_data"][0]["salary"] == literal


def test_a_lone_surrogate_becomes_the_replacement_character() -> None:
    decoded = _decode(body('{"uniq_id": "a", "cursor": 1, "t\\udc00": "x\\ud800y", "n": 1e400}'), "h", "c")
    assert decoded["job_data"][0]["t\ufffd"] == "x\ufffdy"


def test_a_body_that_is_not_json_is_still_a_retryable_error() -> None:
    with pytest.raises(JobsPikrResponseError, match="not valid JSON") as raised:
        _decode(body('{"uniq_id": "a", "cursor": 1e400'), "h", "cursor 0")
    assert raised.value.retryable
