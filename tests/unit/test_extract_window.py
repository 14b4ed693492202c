"""Which post-date days a run fetches."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobspikr.errors import JobsPikrConfigError
from jobspikr_pipeline.extract_plan import ExtractWindow, find_empty_days

WINDOW = ExtractWindow(interval_start=date(2026, 11, 23), interval_end=date(2026, 11, 24),
                       backfill_start=date(2026, 10, 24), lookback_days=3)


def test_first_load_backfills_and_later_loads_look_back() -> None:
    assert WINDOW.days(first_load=True)[0] == date(2026, 10, 24)
    assert WINDOW.days(first_load=False) == [date(2026, 11, d) for d in range(20, 24)]


def test_after_an_outage_longer_than_the_lookback_the_run_resumes_from_the_last_watermark() -> None:
    # the last successful load reached post date Nov 17; runs for Nov 18-22 all failed
    assert WINDOW.days(first_load=False, resume_from=date(2026, 11, 17)) == \
        [date(2026, 11, d) for d in range(17, 24)]
    # a recent watermark changes nothing
    assert WINDOW.days(first_load=False, resume_from=date(2026, 11, 22))[0] == date(2026, 11, 20)


def test_since_reaches_back_on_any_load_and_the_filters_post_dates_bound_every_load() -> None:
    since = replace(WINDOW, since=date(2021, 10, 1))
    assert since.days(first_load=True)[0] == date(2021, 10, 1)
    assert since.days(first_load=False)[0] == date(2021, 10, 1)
    bounded = replace(WINDOW, post_date_from=date(2026, 11, 21), post_date_to=date(2026, 11, 22))
    assert bounded.days(first_load=False) == [date(2026, 11, 21), date(2026, 11, 22)]
    # a first load reaches back to post_date_from, not backfill_start
    assert replace(WINDOW, post_date_from=date(2026, 9, 1)).days(first_load=True)[0] == date(2026, 9, 1)
    assert replace(WINDOW, post_date_to=date(2021, 1, 1)).days(first_load=False) == []
    with pytest.raises(JobsPikrConfigError, match="since 2026-12-01 is not before"):
        replace(WINDOW, since=date(2026, 12, 1))


def test_an_empty_window_is_described_with_its_bounds_for_the_nothing_fetched_message() -> None:
    assert replace(WINDOW, post_date_to=date(2021, 1, 1)).describe(first_load=False) == (
        "no post dates at all (bounded by the filters post_date_from -, post_date_to 2021-01-01)")
    assert WINDOW.describe(first_load=True) == "post dates 2026-10-24..2026-11-23"


DAY0 = date(2021, 1, 1)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.integers(0, 400), st.integers(1, 5), max_size=12),
       st.lists(st.integers(0, 400), min_size=0, max_size=60, unique=True))
def test_empty_days_are_found_exactly_with_few_count_requests(records: dict[int, int], gaps: list[int]) -> None:
    """Whatever days hold records, no day with records is skipped; the empty days still
    fetched (a single day is fetched, never asked about) and the count requests stay few."""
    per_day = {DAY0 + timedelta(days=n): count for n, count in records.items()}
    # never-fetched days: a span with holes (days a past load fetched are not asked about)
    days = [DAY0 + timedelta(days=n) for n in range(401) if n not in set(gaps)]
    asked: list[tuple[date, date]] = []

    def count(first: date, last: date) -> int:
        asked.append((first, last))
        return sum(c for d, c in per_day.items() if first <= d <= last)

    empty, probes = find_empty_days(count, days)
    truly_empty = {d for d in days if d not in per_day}
    assert empty <= truly_empty
    runs = len(gaps) + 1
    # an empty day is fetched only as a lone day: a run of one, or a half split off one
    # with records (at most one per halving level, 9 levels, for each day with records)
    assert len(truly_empty - empty) <= runs + 9 * len(records)
    if not records:
        assert empty == {d for run in _runs(days) if len(run) > 1 for d in run}
    assert probes == len(asked) <= runs + 2 * 9 * len(records)


def _runs(days: list[date]) -> list[list[date]]:
    runs: list[list[date]] = []
    for day in days:
        if runs and day == runs[-1][-1] + timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def test_a_first_load_over_five_empty_years_costs_a_handful_of_requests() -> None:
    days = [DAY0 + timedelta(days=n) for n in range(1885)]
    october = {DAY0 + timedelta(days=273 + n) for n in range(31)}
    empty, probes = find_empty_days(lambda a, b: sum(a <= d <= b for d in october), days)
    assert empty == set(days) - october
    assert probes < 100  # against 1,885 requests, one per day


def test_a_server_without_total_count_gets_every_day_fetched() -> None:
    assert find_empty_days(lambda a, b: None, [DAY0, DAY0 + timedelta(days=1)]) == (set(), 1)
