"""A generative test of the whole warehouse on a real Postgres: Hypothesis draws pages of
JobsPikr records and legacy scraper rows with every value the API notes allow
(``../shared/docs/jobspikr-api.md``: nulls, missing keys, placeholders, pipe-joined cities, booleans as
strings, unknown fields, ``extra_fields``, duplicate flags) and adversarial ones (malformed
numbers, dates and salary texts, NUL and other control characters, RTL text, emoji,
combining marks, 100k-character text, dates in the future), with copies of jobs (another
board, another city, a "(Remote)" title, the scraper's copy) so that matching and clustering
meet hard cases. Each example lands through the loader, builds dbt and checks the
invariants of ``devkit/warehouse_checks.py``.

One database for the whole test; each example empties it first, so a failing example
reproduces alone while Hypothesis shrinks it. Deterministic (``derandomize``) for CI;
``JOBSPIKR_GENERATIVE_EXAMPLES`` (default 8) and ``JOBSPIKR_GENERATIVE_SEED`` (explore:
random draws from that seed instead of the fixed ones) and ``JOBSPIKR_GENERATIVE_SHRINK=1``
tune it.
"""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, Phase, given, note, seed, settings
from hypothesis import strategies as st

from devkit.suite import TEST_ANCHOR
from devkit.warehouse_checks import RawNumber, land_build_check

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("JOBSPIKR_GENERATIVE_EXAMPLES", "8"))
SEED = os.environ.get("JOBSPIKR_GENERATIVE_SEED")
SHRINK = os.environ.get("JOBSPIKR_GENERATIVE_SHRINK") == "1"
#: Today for the warehouse (dbt compares with current_date); crawl times are drawn around it.
TODAY = datetime.now(UTC).date()

PLACEHOLDERS = ["Unspecified", "unspecified", "NA", "na", "N/A", "Not specified", "Undefined", "null", "None"]
ODD_TEXT = [
    "", " ", "\t\n ", "\u00a0", "\u200b", "Data\x00Engineer", "\x00", "a\x01b\x7fc", "مهندس بيانات أول",
    "\u202eReenigne atad", "Data Engineer 🚀👩🏽‍💻", "Ingénieur de donnée\u0301\u0301s", "Z\u0336\u0335a\u0338lgo",
    "<script>alert(1)</script>", "Robert'); drop table students;--", "%s %(x)s {0}", "\\N", "NULL",
]
SALARY_TEXTS = [
    "Pay: $25.00.00 - $30.00.00 per hour", "$30 - $25", "$30 - $25 an hour", "$110,000 - $150,000 a year",
    "$120k-$140k", "$25 - $40 an hour", "1.0 - 1000000.0 USD /YEAR", "Competitive", "DOE", "0 - 0 /", "-5",
    "$-5 - $10", "1e400", "NaN", "Infinity", "$99999999999999999999", "$1,00,000 - $2,00,000", "€40.000 - €50.000",
    "£30k", "USD", "per hour", "$", "1 - 1", "2 - 1", "$1 - $200,000 a year", "Up to $80,000", "From $30/hr",
    "$50,000 - $40,000 per year", "$25.50.25/hr", "9" * 20 + " - " + "1", "$40k - $35k", "$60 - $60",
]
DATES = [
    "2021-10-03", "2021-10-03T04:25:55Z", "02/30/2021", "13/45/2021", "2021-02-30", "2021-13-01", "0000-00-00",
    "0001-01-01", "1999-12-31", "9999-12-31", "2099-01-01", "", " ", "garbage", "10/3/21", "Oct 3, 2021",
    "2021-10-03garbage", "20211003", "-2021-10-03", "2021-1-3", "today", "3 days ago",
]
TIMESTAMPS = [
    "2021-10-03 04:25:55 +0000", "2021-10-03T04:25:55Z", "2021-10-03 04:25:55", "2099-01-01 00:00:00 +0000",
    "9999-12-31 23:59:59 -2359", "0001-01-01 00:00:00 +0000", "2021-13-45 99:99:99 +0000", "garbage", "",
    "2021-10-03 04:25:55 GMT", "1633235155",
]
RELATIVE_POSTED = [
    "today", "just posted", "yesterday", "3 days ago", "Posted 30+ days ago", "2 weeks ago", "an hour ago",
    "99999999999999999999 days ago", "2147483648 days ago", "5000000 days ago", "0 days ago", "1 month ago",
    "Oct 3, 2021", "October 3rd 2021", "3 Oct 2021", "10/03/2021", "Feb 30, 2021", "Foo 3, 2021",
]
BOOLEANS: list[Any] = [True, False, "true", "false", "TRUE", "yes", "no", "Y", 1, 0, "1", "garbage", "", None,
                       RawNumber("2"), [], {}]
NUMBERS: list[Any] = [
    25, 30, 0, 1, -5, 110000, 150000, 25.5, RawNumber("1e400"), RawNumber("99999999999999999999"),
    RawNumber("1e20"), RawNumber("-0.0"), RawNumber("1.5e-7"), RawNumber("18446744073709551615"),
    "25000", " 25000 ", "25,000", "$25k", "1e5", "NaN", "Infinity", "-5", "garbage", "", None, True,
]
CITIES = ["Austin", "Dallas", "Houston", "Austin|Dallas|Houston", "Nashik|Navi Mumbai|Thane", "Tampa", "Tampa FL",
          "TX", "Computer-or-internet", "New York", "Remote", "São Paulo", "Zürich"]
STATES = ["TX", "Texas", "FL", "NY", "New york", "ZZ", "California"]
COUNTRIES = ["US", "usa", "USA", "United States", "United states", "", "IN", "Deutschland"]
TITLES = ["Data Engineer", "Senior Data Engineer", "Data Engineer (Remote)", "Remote Data Engineer",
          "Sr. Software Engineer", "Registered Nurse", "Registered Nurse - Night Shift"]
COMPANIES = ["Acme Inc.", "Acme", "Acme, Inc", "The Acme Company", "Robert Half", "Initech LLC"]
JOB_TYPES = ["Full Time", "Part Time", "Contract", "Internship", "Undefined", "Not specified", "NA"]
BOARDS = ["indeed", "Indeed", "dice", "simplyhired", "company_website", "Linkedin", "careerbuilder", None, ""]

MISSING = object()  # a key left out of the record


def long_text(draw: st.DrawFn, chars: int = 100_000) -> str:
    """Text of ``chars`` characters that does not compress away (random words), so a value
    too large for an index entry really is too large."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    letters = "abcdefghijklmnopqrstuvwxyzé€漢     "
    return "".join(rng.choices(letters, k=chars))


def odd(draw: st.DrawFn, usual: list[Any], *, extra: list[Any] = ()) -> Any:
    """Mostly a usual value; sometimes a placeholder, odd text, null, a missing key, a
    number, very long text, or any text at all."""
    kind = draw(st.sampled_from(["usual"] * 6 + ["placeholder", "odd", "null", "missing", "any", "number", "long",
                                                 "extra"]))
    if kind == "placeholder":
        return draw(st.sampled_from(PLACEHOLDERS))
    if kind == "odd":
        return draw(st.sampled_from(ODD_TEXT))
    if kind == "null":
        return None
    if kind == "missing":
        return MISSING
    if kind == "any":
        return draw(st.text(max_size=40))
    if kind == "number":
        return draw(st.sampled_from([0, -5, 12345, RawNumber("1e400"), 1.5]))
    if kind == "long":
        return long_text(draw, draw(st.sampled_from([3_000, 100_000])))
    if kind == "extra" and extra:
        return draw(st.sampled_from(list(extra)))
    return draw(st.sampled_from(usual))


def timestamp_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S +0000")


@st.composite
def base_job(draw: st.DrawFn) -> dict[str, Any]:
    """One JobsPikr-shaped record with normal-looking values (the copies and the damage come later)."""
    crawled = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) - timedelta(
        hours=draw(st.integers(1, 24 * 30)))
    posted = crawled.date() - timedelta(days=draw(st.integers(0, 20)))
    low = draw(st.sampled_from([None, 25, 40, 90000, 120000]))
    return {
        "crawl_timestamp": timestamp_text(crawled),
        "url": f"https://www.{draw(st.sampled_from(['indeed.com', 'dice.com', 'acme.example']))}/job/"
               f"{draw(st.integers(0, 10**9))}",
        "job_title": draw(st.sampled_from(TITLES)),
        "company_name": draw(st.sampled_from(COMPANIES)),
        "city": draw(st.sampled_from(CITIES)), "state": draw(st.sampled_from(STATES)), "country": "US",
        "inferred_city": draw(st.sampled_from([None, *CITIES])),
        "inferred_state": draw(st.sampled_from([None, "Texas"])),
        "inferred_country": "United states",
        "post_date": posted.isoformat(),
        "job_description": draw(st.sampled_from([
            "Build pipelines with Airflow and dbt on Postgres. Five years of Python. We are an equal opportunity "
            "employer.", "Care for patients on the night shift; BLS required; sign-on bonus.",
            "Own the search stack end to end: Elasticsearch, Kafka, Go."])),
        "job_type": draw(st.sampled_from(JOB_TYPES)),
        "salary_offered": draw(st.sampled_from([None, *SALARY_TEXTS[:8]])),
        "job_board": draw(st.sampled_from(BOARDS[:7])), "geo": "US",
        "contact_email": None, "contact_phone_number": None,
        "html_job_description": "<html><body><p>See the description.</p></body></html>",
        "has_expired": False, "duplicate_status": "no", "duplicate_of": None, "is_remote": False,
        "inferred_salary_currency": "USD" if low else None,
        "inferred_salary_time_unit": ("hourly" if low < 1000 else "yearly") if low else None,
        "inferred_salary_from": low,
        "inferred_salary_to": low and low + draw(st.integers(0, 30000 if low > 1000 else 15)),
        "inferred_skills": "Python|SQL",
    }


@st.composite
def damaged(draw: st.DrawFn, record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with some fields replaced by what the API may send, or worse."""
    record = dict(record)
    fields: dict[str, Any] = {
        "job_title": lambda: odd(draw, TITLES),
        "company_name": lambda: odd(draw, COMPANIES),
        "city": lambda: odd(draw, CITIES), "inferred_city": lambda: odd(draw, CITIES),
        "state": lambda: odd(draw, STATES), "inferred_state": lambda: odd(draw, STATES),
        "country": lambda: odd(draw, COUNTRIES), "inferred_country": lambda: odd(draw, COUNTRIES),
        "job_type": lambda: odd(draw, JOB_TYPES), "job_board": lambda: odd(draw, BOARDS),
        "job_description": lambda: odd(draw, ["short"]), "url": lambda: odd(draw, [
            "https://example.com/x", "javascript:alert(1)", "https://exa mple.com/x", "ftp://example.com/x",
            "https://例え.jp/仕事", "https://example.com/" + "a" * 5000]),
        "salary_offered": lambda: odd(draw, SALARY_TEXTS),
        "inferred_salary_from": lambda: draw(st.sampled_from(NUMBERS)),
        "inferred_salary_to": lambda: draw(st.sampled_from(NUMBERS)),
        "inferred_salary_currency": lambda: odd(draw, ["USD", "usd", "EUR", "$"]),
        "inferred_salary_time_unit": lambda: odd(draw, ["hourly", "yearly", "monthly", "weekly", "daily",
                                                        "fortnightly"]),
        "post_date": lambda: odd(draw, DATES, extra=[(TODAY + timedelta(days=d)).isoformat() for d in (1, 2, 400)]),
        "crawl_timestamp": lambda: odd(draw, TIMESTAMPS),
        "is_remote": lambda: draw(st.sampled_from([*BOOLEANS, MISSING])),
        "has_expired": lambda: draw(st.sampled_from([*BOOLEANS, MISSING])),
        "duplicate_status": lambda: draw(st.sampled_from(["NA", "true", "false", "no", "", None, MISSING, True])),
        "duplicate_of": lambda: draw(st.sampled_from([None, "", "0" * 32, "deadbeef" * 4, 42, MISSING])),
        "extra_fields": lambda: draw(st.sampled_from([{}, {"is_salary_estimated": "true"}, {"a": {"b": [1, None]}},
                                                      {"\x00": "\x00"}, None, "not an object"])),
        "inferred_work_mode": lambda: odd(draw, ["remote", "hybrid", "onsite"]),
        "last_expiry_check_date": lambda: odd(draw, DATES),
        "contact_email": lambda: odd(draw, ["jane@acme.example", "NA", "unspecified"]),
    }
    for name in draw(st.lists(st.sampled_from(sorted(fields)), max_size=6, unique=True)):
        value = fields[name]()
        if value is MISSING:
            record.pop(name, None)
        else:
            record[name] = value
    if draw(st.integers(0, 9)) == 0:  # an unknown field of any shape
        record[draw(st.text(min_size=1, max_size=12))] = draw(st.sampled_from([1, "x", None, [1], {"k": "v"}]))
    return record


@st.composite
def copies(draw: st.DrawFn, record: dict[str, Any]) -> list[dict[str, Any]]:
    """The hard cases for matching: the same job on another board, the same title in another
    city, a "(Remote)" copy, a re-indexed version (same uniq_id, later crawl)."""
    out = []
    for kind in draw(st.lists(st.sampled_from(["board", "city", "remote", "reindex", "pipe", "flagged"]),
                              max_size=3)):
        copy = dict(record)
        if kind == "board":
            copy["job_board"] = draw(st.sampled_from(BOARDS))
            copy["url"] = str(copy.get("url", "")) + "?board=copy"
        elif kind == "city":
            copy["city"] = copy["inferred_city"] = draw(st.sampled_from(CITIES))
        elif kind == "remote":
            copy["job_title"] = f"{copy.get('job_title')} (Remote)"
            copy["is_remote"] = draw(st.sampled_from([True, "true", "yes", 1, "garbage"]))
        elif kind == "pipe":
            copy["city"], copy["inferred_city"], copy["state"] = "Austin|Dallas|Houston", None, None
        elif kind == "flagged":
            copy["duplicate_status"], copy["duplicate_of"] = "true", record.get("uniq_id")
        out.append((kind, copy))
    return out


@st.composite
def pages(draw: st.DrawFn) -> tuple[list[Any], list[dict[str, Any]]]:
    """A page of JobsPikr records (with copies, damage and a few records that cannot be
    keyed) and the legacy scraper's rows (copies of some of them, and its own damage)."""
    records: list[Any] = []
    serial = iter(range(10**6))
    for job in draw(st.lists(base_job(), min_size=3, max_size=12)):
        job = {**job, "uniq_id": f"{next(serial):032x}", "cursor": 1_700_000_000_000_000 + next(serial)}
        records.append(draw(damaged(job)))
        for kind, copy in draw(copies(job)):
            if kind != "reindex":
                copy["uniq_id"] = f"{next(serial):032x}"
            copy["cursor"] = 1_700_000_000_000_000 + next(serial)
            records.append(draw(damaged(copy)))
    for _ in range(draw(st.integers(0, 2))):  # records the page parser must reject, or odd keys
        victim = dict(draw(st.sampled_from(records)))
        flaw = draw(st.sampled_from(["no id", "null id", "blank id", "int id", "no cursor", "str cursor",
                                     "float cursor", "bool cursor", "huge cursor", "negative cursor", "not object",
                                     "spaced id", "unicode id", "nul id"]))
        victim["uniq_id"] = f"{next(serial):032x}"
        if flaw == "no id":
            victim.pop("uniq_id")
        elif flaw in ("null id", "blank id", "int id", "spaced id", "unicode id", "nul id"):
            victim["uniq_id"] = {"null id": None, "blank id": "  ", "int id": 123,
                                 "spaced id": f" {victim['uniq_id']} ", "unicode id": "идентификатор-🚀",
                                 "nul id": "ab\x00cd"}[flaw]
        elif flaw == "no cursor":
            victim.pop("cursor")
        else:
            victim["cursor"] = {"str cursor": "1700000000000001", "float cursor": 1.5, "bool cursor": True,
                                "huge cursor": RawNumber("18446744073709551615"), "negative cursor": -1,
                                "not object": None}.get(flaw)
        records.append("not an object" if flaw == "not object" else victim)
    legacy = []
    for n, source in enumerate(draw(st.lists(st.sampled_from(records), max_size=8))):
        source = source if isinstance(source, dict) else {}
        scraped = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC) - timedelta(
            hours=draw(st.integers(-48, 24 * 40)))
        location = f"{source.get('city')}, {source.get('state')}"
        row = {
            "id": 1000 + n,
            "source_site": str(source.get("job_board") or "indeed").lower(),
            "external_id": str(source.get("uniq_id", ""))[:12],
            "url": str(source.get("url", "")) + "?src=scraper",
            "title": str(source.get("job_title", "")),
            "company": str(source.get("company_name", "")),
            "location": draw(st.sampled_from([location, location + ", USA", "Remote - US", "Remote",
                                              "Austin|Dallas, TX", "Unspecified", "", "  ", "NA, NA", ", TX"])),
            "description_html": f"<div>{source.get('job_description', '')}</div>",
            "salary_text": odd(draw, SALARY_TEXTS),
            "posted_at": odd(draw, RELATIVE_POSTED, extra=DATES),
            "scraped_at": draw(st.sampled_from([scraped, None, datetime(2099, 1, 1, tzinfo=UTC)])),
        }
        for key, value in row.items():  # the scraper's table is text: no NUL can be in it, no missing key
            if value is MISSING:
                row[key] = None
            elif isinstance(value, RawNumber):
                row[key] = value.text
            elif isinstance(value, int | float) and key not in ("id",):
                row[key] = str(value)
            elif isinstance(value, str):
                row[key] = value.replace("\x00", "")
        legacy.append(row)
    return records, legacy


def _settings() -> settings:
    """Fixed draws for CI (derandomize), unless a seed asks to explore; no deadline (an
    example builds dbt, 15-40 s). No shrinking unless asked: each shrink step is a dbt build,
    and the failure message already names each broken invariant with the input records
    behind it; ``JOBSPIKR_GENERATIVE_SHRINK=1`` shrinks (Hypothesis stops after 5 minutes)."""
    phases = [Phase.explicit, Phase.generate, *([Phase.shrink] if SHRINK else [])]
    return settings(max_examples=EXAMPLES, deadline=None, derandomize=SEED is None, print_blob=True,
                    database=None, phases=phases,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large, HealthCheck.large_base_example])


def _seeded(test: Any) -> Any:
    return seed(int(SEED))(test) if SEED is not None else test


@pytest.mark.slow("each Hypothesis example is a load and a dbt build of the whole project")
@_seeded
@_settings()
@given(page=pages())
def test_every_record_is_served_quarantined_or_rejected_and_the_marts_keep_their_invariants(
        warehouse: str, page: tuple[list[Any], list[dict[str, Any]]]) -> None:
    """Property: whatever a page holds, the build succeeds, each record ends in exactly one
    of a job, the quarantine or the rejects, and the marts keep their invariants."""
    records, legacy = page
    note(f"{len(records)} JobsPikr records, {len(legacy)} legacy rows")
    with psycopg.connect(warehouse, autocommit=True) as conn:
        outcome = land_build_check(conn, records, legacy, post_date=TEST_ANCHOR)
    assert not outcome.report(), outcome.report()
