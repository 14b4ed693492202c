"""A record's raw row: one serialisation of the record gives both its version hash and
its payload."""

from __future__ import annotations

import hashlib

import orjson
import pytest

from jobspikr_pipeline.raw_rows import raw_row

RECORD = {"uniq_id": "u1", "job_title": "Nurse \u2013 ICU", "cursor": 42,
          "crawl_timestamp": "2021-10-03 04:25:55 +0000", "post_date": "2021-10-02", "geo": None,
          "inferred_skills": ["a", {"b": 1}]}


def canonical_md5(record: dict) -> str:
    """The version as the notes define it: md5 of the sorted-key JSON without the re-crawl fields."""
    content = {k: v for k, v in record.items() if k not in ("cursor", "crawl_timestamp", "latest_expiry_check_date")}
    return hashlib.md5(orjson.dumps(content, option=orjson.OPT_SORT_KEYS), usedforsecurity=False).hexdigest()


@pytest.mark.parametrize("record", [RECORD, {k: v for k, v in RECORD.items() if k != "crawl_timestamp"},
                                    {"uniq_id": "u2", "cursor": 7}])
def test_the_payload_is_the_whole_record_and_the_hash_its_canonical_content(record: dict) -> None:
    uniq_id, version, cursor, _crawled, _posted, payload = raw_row(record)
    assert (uniq_id, cursor) == (record["uniq_id"], record["cursor"])
    assert orjson.loads(payload.dumps(payload.obj)) == record
    assert version == canonical_md5(record)


def test_a_re_crawl_keeps_the_version_and_a_change_makes_a_new_one() -> None:
    recrawled = {**RECORD, "cursor": 99, "crawl_timestamp": "2021-10-05 00:00:00 +0000"}
    changed = {**RECORD, "job_title": "Nurse - ICU (nights)"}
    assert raw_row(recrawled)[1] == raw_row(RECORD)[1] != raw_row(changed)[1]


def test_nuls_in_values_nested_values_and_keys_are_replaced_and_the_version_is_of_the_stored_record() -> None:
    record = {**RECORD, "job_title": "Data\x00Engineer", "extra_fields": {"note": ["\x00"]}, "\x00": "x",
              "crawl_timestamp": "2021-10-03 04:25:55 +0000\x00"}
    _uniq_id, version, _cursor, _crawled, _posted, payload = raw_row(record)
    stored = orjson.loads(payload.dumps(payload.obj))
    assert b"\\u0000" not in payload.dumps(payload.obj)
    assert stored["job_title"] == "Data\ufffdEngineer" and stored["extra_fields"] == {"note": ["\ufffd"]}
    assert stored["\ufffd"] == "x" and stored["crawl_timestamp"].endswith("\ufffd")
    assert version == canonical_md5(stored)

