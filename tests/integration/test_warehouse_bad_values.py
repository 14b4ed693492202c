"""The generative warehouse test's findings, one explicit value each, so their fixes can be
verified fast and stay fixed (``test_warehouse_generative`` draws; this module replays).

Three groups, because one failure would hide the others in a single batch:

- values the loader must land or reject (a crash loses the whole batch, and the next run
  fetches the same page and crashes again): no dbt, a second or two each;
- values that once failed a dbt model outright: one build of them all, and only when it
  fails, one build each, so the failure names every value that fails on its own (in a
  build of all, dbt skips what depends on the first failing model);
- everything else in one batch and one build, held to every invariant of
  ``devkit/warehouse_checks.py``.

Nothing is marked xfail: these fail until the models and the loader handle them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from devkit.suite import TEST_ANCHOR
from devkit.warehouse_checks import RawNumber, land, land_build_check, reset

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.date()


def record(uniq_id: str, **fields: Any) -> dict[str, Any]:
    """A plain, valid JobsPikr record (crawled an hour ago, posted yesterday) with ``fields`` over it."""
    base: dict[str, Any] = {
        "crawl_timestamp": (NOW - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S +0000"),
        "url": f"https://www.indeed.com/job/{uniq_id}", "job_title": "Data Engineer", "company_name": "Acme Inc.",
        "city": "Austin", "state": "TX", "country": "US", "inferred_city": "Austin", "inferred_state": "Texas",
        "inferred_country": "United states", "post_date": (TODAY - timedelta(days=1)).isoformat(),
        "job_description": f"Build pipelines with Airflow and dbt; reference {uniq_id}.",
        "job_type": "Full Time", "salary_offered": None, "job_board": "indeed", "geo": "US",
        "has_expired": False, "is_remote": False, "duplicate_status": "no", "duplicate_of": None,
        "inferred_salary_currency": None, "inferred_salary_time_unit": None,
        "inferred_salary_from": None, "inferred_salary_to": None,
        "uniq_id": uniq_id, "cursor": 1_700_000_000_000_000 + sum(map(ord, uniq_id)),
    }
    for name, value in fields.items():
        if value is _MISSING:
            base.pop(name, None)
        else:
            base[name] = value
    return base


def legacy(row_id: int, **fields: Any) -> dict[str, Any]:
    """A plain legacy scraper row (scraped an hour ago) with ``fields`` over it."""
    return {"id": row_id, "source_site": "indeed", "external_id": f"ext{row_id}",
            "url": f"https://www.indeed.com/viewjob?jk={row_id}", "title": f"Legacy Analyst {row_id}",
            "company": f"Legacy Co {row_id}", "location": "Austin, TX", "description_html": "<div>Analyse data.</div>",
            "salary_text": None, "posted_at": "2 days ago", "scraped_at": NOW - timedelta(hours=1), **fields}


_MISSING = object()


def incompressible(chars: int, alphabet: str = "abcdefghijklmnopqrstuvwxyz ") -> str:
    """Text that TOAST cannot compress away: a value this long really is this long in an index."""
    return "".join(random.Random(chars).choices(alphabet, k=chars))


@pytest.fixture
def conn(warehouse: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(warehouse, autocommit=True) as connection:
        yield connection


#: Values on which the page decoder or the loader must not fail the whole batch.
LOADER_CASES = {
    "nul_in_title": record("nul-title", job_title="Data\x00Engineer"),
    "nul_in_description": record("nul-description", job_description="line one\x00line two"),
    "nul_in_an_unknown_field": record("nul-extra", extra_fields={"note": "\x00"}),
    "nul_as_a_key": record("nul-key", **{"\x00": "x"}),
    "nul_in_uniq_id": record("ab\x00cd"),
    "cursor_beyond_bigint": record("huge-cursor", cursor=RawNumber("18446744073709551615")),
    "cursor_just_beyond_bigint": record("bigint-cursor", cursor=RawNumber("9223372036854775808")),
    "number_beyond_double": record("inf-salary", inferred_salary_from=RawNumber("1e400")),
    "crawl_timestamp_offset_past_year_9999": record("y10k", crawl_timestamp="9999-12-31 23:59:59 -2359"),
    "uniq_id_longer_than_an_index_entry": record(incompressible(10_000)),
}


@pytest.mark.parametrize("case", sorted(LOADER_CASES))
def test_the_loader_lands_or_rejects_each_record_of_a_page_and_never_fails_the_batch(
        conn: psycopg.Connection, case: str) -> None:
    """A value no column can hold is the record's problem, not the page's: the loader must
    land the record (cleaned) or reject it with its reason, and land the page's other record."""
    poison, good = LOADER_CASES[case], record("good-neighbour")
    reset(conn)
    load_id = land(conn, [good, poison], [], post_date=TEST_ANCHOR)
    stored = {row[0] for row in conn.execute("select uniq_id from raw.jobspikr_jobs")}
    rejected = conn.execute("select count(*) from raw.jobspikr_rejects where load_id = %s", (load_id,)).fetchone()[0]
    assert "good-neighbour" in stored
    assert (len(stored) == 2) != (rejected == 1), (stored, rejected)


#: Values that once failed a model outright (the whole build, every record with them).
MODEL_CASES = {
    "legacy_posted_days_ago_beyond_int": ([], [legacy(1, posted_at="99999999999999999999 days ago")]),
    "legacy_posted_days_ago_beyond_int4": ([], [legacy(2, posted_at="2147483648 days ago")]),
    "legacy_posted_days_ago_before_4713_bc": ([], [legacy(3, posted_at="5000000 days ago")]),
    "legacy_posted_weeks_ago_overflowing": ([], [legacy(4, posted_at="400000000 weeks ago")]),
    "company_longer_than_an_index_entry": ([record("long-company", company_name=incompressible(100_000))], []),
    "title_longer_than_an_index_entry": ([record("long-title", job_title=incompressible(100_000))], []),
    "city_longer_than_an_index_entry": ([record("long-city", inferred_city=incompressible(100_000))], []),
    "salary_text_of_140k_digits": ([record("long-salary", salary_offered="$" + "9" * 140_000)], []),
    "inferred_salary_of_140k_digits": ([record("long-inferred", inferred_salary_from="9" * 140_000)], []),
}


def test_no_value_that_once_failed_a_model_fails_the_build(conn: psycopg.Connection) -> None:
    every_record = [r for records, _ in MODEL_CASES.values() for r in records]
    every_row = [row for _, rows in MODEL_CASES.values() for row in rows]
    together = land_build_check(conn, [*every_record, record("good-neighbour")], every_row, post_date=TEST_ANCHOR)
    if together.report():
        alone = {case: land_build_check(conn, [*records, record("good-neighbour")], rows,
                                        post_date=TEST_ANCHOR).report()
                 for case, (records, rows) in MODEL_CASES.items()}
        pytest.fail("\n".join([f"{case}: {report}" for case, report in alone.items() if report]
                              or [f"only together: {together.report()}"]))


def bad_batch() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every other reproducer in one page and one set of legacy rows."""
    future = (TODAY + timedelta(days=1)).isoformat()
    records = [
        # salary text the parser reads backwards or as garbage
        record("salary-dotted", salary_offered="Pay: $25.00.00 - $30.00.00 per hour"),
        record("salary-reversed", salary_offered="$30 - $25"),
        record("salary-reversed-k", salary_offered="$40k - $35k"),
        record("salary-negative", salary_offered="-5"),
        record("salary-exponent", salary_offered="1e400"),
        record("salary-upto", salary_offered="Up to $80,000"),
        # JobsPikr's own parsed salary, reversed or without an amount
        record("inferred-reversed", inferred_salary_from=30, inferred_salary_to=25),
        record("inferred-negative", inferred_salary_from=-5, inferred_salary_to=10),
        record("currency-no-amount", inferred_salary_currency="USD"),
        record("period-no-amount", inferred_salary_time_unit="hourly"),
        record("inferred-string", inferred_salary_from="25,000", inferred_salary_to="$30k"),
        record("inferred-nan", inferred_salary_from="NaN", inferred_salary_to="Infinity"),
        # placeholders as values
        record("company-unspecified", company_name="Unspecified"),
        record("company-na", company_name="na"),
        record("company-not-specified", company_name="Not specified"),
        record("job-type-undefined", job_type="Undefined"),
        record("job-type-not-specified", job_type="Not specified"),
        record("job-type-na", job_type="NA"),
        record("city-unspecified", inferred_city=None, city="Unspecified"),
        record("city-na", inferred_city="NA"),
        # several cities in one field
        record("city-piped", inferred_city=None, city="Austin|Dallas|Houston", state=None, inferred_state=None),
        record("city-piped-inferred", inferred_city="Austin|Dallas|Houston"),
        # dates: after the crawl, tomorrow, and a crawl in the future
        record("posted-after-crawl", crawl_timestamp="2021-10-03 04:25:55 +0000", post_date="2026-01-05"),
        record("posted-tomorrow", post_date=future),
        record("crawl-in-future", crawl_timestamp="2099-01-01 00:00:00 +0000"),
        record("post-date-us-shape", post_date="02/30/2021"),
        record("post-date-impossible", post_date="13/45/2021"),
        # booleans as the API spells them, and worse
        record("remote-yes", is_remote="yes", inferred_city="Dallas", job_title="Data Engineer (Remote)"),
        record("remote-garbage", is_remote="garbage"),
        record("expired-one", has_expired=1),
        # whitespace, unicode, control characters other than NUL
        record("title-whitespace", job_title=" \t\n "),
        record("title-rtl", job_title="مهندس بيانات \u202eReenigne"),
        record("title-emoji", job_title="Data Engineer 🚀👩🏽‍💻"),
        record("title-combining", job_title="Ingénieur de donnée\u0301\u0301s"),
        record("company-control", company_name="Acme\x01\x7f Inc."),
        # keys missing, unknown, null
        record("missing-company", company_name=_MISSING),
        record("null-everything", job_title=None, company_name=None, city=None, inferred_city=None, state=None,
               inferred_state=None, country=None, inferred_country=None),
        record("unknown-fields", extra_fields={"a": {"b": [1, None]}}, inferred_work_mode="remote",
               duplicate_status="NA", duplicate_of="deadbeef" * 4),
        # copies: another board, another city, a "(Remote)" copy of the Austin job
        record("copy-board", job_board="dice", url="https://www.dice.com/job/copy"),
        record("copy-city", inferred_city="Dallas", city="Dallas"),
        record("copy-remote", job_title="Data Engineer (Remote)", inferred_city="Houston", city="Houston"),
    ]
    rows = [
        legacy(1, salary_text="Pay: $25.00.00 - $30.00.00 per hour"),
        legacy(2, salary_text="$30 - $25"),
        legacy(3, posted_at="02/30/2021"),
        legacy(4, posted_at="13/45/2021"),
        legacy(5, company="Unspecified"),
        legacy(6, location="Austin|Dallas|Houston, TX"),
        legacy(7, location="NA, NA"),
        legacy(8, posted_at="Oct 3, 2021", scraped_at=datetime(2021, 9, 1, tzinfo=UTC)),
        legacy(9, posted_at="today", scraped_at=datetime(2099, 1, 1, tzinfo=UTC)),
        legacy(10, posted_at="3 days ago", scraped_at=None),
        legacy(11, salary_text="USD per hour"),
        # the scraper's copy of the Austin job
        legacy(12, title="Data Engineer", company="Acme", location="Austin, TX, USA",
               description_html="<div>Build pipelines with Airflow and dbt; reference copy-board.</div>"),
    ]
    return records, rows


def test_one_batch_of_bad_values_keeps_every_invariant(conn: psycopg.Connection) -> None:
    records, rows = bad_batch()
    outcome = land_build_check(conn, records, rows, post_date=TEST_ANCHOR)
    assert not outcome.report(), outcome.report()
