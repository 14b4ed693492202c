"""The expired jobs API's answers: tolerant parsing, the cursor loop, one day per job."""

from __future__ import annotations

from datetime import date

import pytest

from jobspikr.errors import JobsPikrResponseError
from jobspikr.expirations import (
    DATE_FIELDS,
    Expiration,
    ExpirationPage,
    follow_cursor,
    parse_expirations,
)
from jobspikr.timestamps import utc_day
from jobspikr_pipeline.expirations_landing import earliest_days

WHERE = "JobsPikr response from http://h/v2 for expired jobs"


def answer(*items: object, **envelope: object) -> dict[str, object]:
    return {"status": "success", "job_data": list(items), **envelope}


@pytest.mark.parametrize("field", DATE_FIELDS)
def test_each_date_field_is_read(field: str) -> None:
    page = parse_expirations(answer({"uniq_id": "a", field: "2026-11-20"}), where=WHERE)
    assert page.expirations == [Expiration("a", date(2026, 11, 20))]


def test_the_first_date_field_present_wins_and_empty_ones_are_passed_over() -> None:
    item = {"uniq_id": "a", "expired_on": None, "expiry_date": "", "expired_date": "2026-11-18",
            "valid_through": "2026-12-01"}
    assert parse_expirations(answer(item), where=WHERE).expirations == [Expiration("a", date(2026, 11, 18))]


def test_an_item_without_a_day_is_still_an_expiration() -> None:
    page = parse_expirations(answer({"uniq_id": "a", "has_expired": True}), where=WHERE)
    assert page.expirations == [Expiration("a", None)]


def test_items_without_uniq_id_are_counted_and_skipped() -> None:
    page = parse_expirations(answer({"uniq_id": "a"}, {"expired_on": "2026-11-20"}, {"uniq_id": "  "},
                                    {"uniq_id": 42}, "not an object", {"uniq_id": " b "}), where=WHERE)
    assert [e.uniq_id for e in page.expirations] == ["a", "b"]
    assert (page.skipped, page.items) == (4, 6)


@pytest.mark.parametrize(("text", "day"), [
    ("2026-11-20", date(2026, 11, 20)),
    ("2026-11-20T04:25:55", date(2026, 11, 20)),
    ("2026-11-20T04:25:55Z", date(2026, 11, 20)),
    ("2026-11-20T23:30:00-05:00", date(2026, 11, 21)),  # its UTC day
    ("2026-11-20 04:25:55+00:00", date(2026, 11, 20)),
    ("2026-11-20 04:25:55 +0000", date(2026, 11, 20)),  # crawl_timestamp's shape
    ("2026-11-20 04:25:55 GMT", date(2026, 11, 20)),    # v1's
    (" 2026-11-20 ", date(2026, 11, 20)),
    ("2026-02-30", None),
    ("20/11/2026", None),
    ("20261120", None),
    ("soon", None),
    (20261120, None),
])
def test_day_formats(text: object, day: date | None) -> None:
    assert utc_day(text) == day


def test_envelope_paging_fields() -> None:
    page = parse_expirations(answer({"uniq_id": "a"}, next_cursor="opaque-2", total_count=7), where=WHERE)
    assert (page.next_cursor, page.total_count) == ("opaque-2", 7)
    page = parse_expirations(answer({"uniq_id": "a"}, total_count="7"), where=WHERE)
    assert (page.next_cursor, page.total_count) == (None, None)
    no_data = parse_expirations({"status": "no_data", "job_data": [], "next_cursor": 5}, where=WHERE)
    assert (no_data.items, no_data.next_cursor) == (0, None)
    assert parse_expirations({"status": "success", "job_data": None}, where=WHERE).items == 0


@pytest.mark.parametrize(("payload", "retryable", "says"), [
    ([], True, "is a list"),
    ({"status": "success", "job_data": {"records": []}}, True, "job_data is a dict"),
    ({"status": "success", "job_data": [], "next_cursor": [1]}, True, "next_cursor is"),
    ({"status": "error", "message": "Unknown client."}, False, "Unknown client"),
])
def test_wrong_answers_fail_with_context(payload: object, retryable: bool, says: str) -> None:
    with pytest.raises(JobsPikrResponseError, match=says) as raised:
        parse_expirations(payload, where=WHERE)
    assert raised.value.retryable is retryable and WHERE in str(raised.value)


def scripted(*pages: ExpirationPage) -> tuple[list[object], object]:
    asked: list[object] = []
    answers = iter(pages)

    def fetch(cursor: object) -> ExpirationPage:
        asked.append(cursor)
        return next(answers)

    return asked, fetch


def page(n: int, next_cursor: int | str | None, skipped: int = 0) -> ExpirationPage:
    return ExpirationPage([Expiration(f"id{i}", None) for i in range(n)], skipped, next_cursor, None)


def test_follows_next_cursor_until_an_empty_answer() -> None:
    asked, fetch = scripted(page(2, 10), page(0, 20, skipped=1), page(1, "x"), page(0, "y"))
    assert [p.items for p in follow_cursor(fetch, where="w")] == [2, 1, 1, 0]
    assert asked == [None, 10, 20, "x"]


def test_stops_without_next_cursor() -> None:
    asked, fetch = scripted(page(2, 10), page(2, None))
    assert len(list(follow_cursor(fetch, where="w"))) == 2 and asked == [None, 10]


def test_a_cursor_that_does_not_advance_fails_naming_it() -> None:
    _, fetch = scripted(page(2, 10), page(2, 20), page(2, 10))
    with pytest.raises(JobsPikrResponseError, match=r"w: next_cursor 10 after cursor 20 was already asked for"):
        list(follow_cursor(fetch, where="w"))


def test_one_day_per_job_the_earliest_named() -> None:
    reported = [Expiration("a", None), Expiration("a", date(2026, 11, 21)), Expiration("b", date(2026, 11, 20)),
                Expiration("a", date(2026, 11, 19)), Expiration("b", None), Expiration("c", None)]
    assert earliest_days(reported) == {"a": date(2026, 11, 19), "b": date(2026, 11, 20), "c": None}
