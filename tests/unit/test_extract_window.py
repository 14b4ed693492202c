"""Which post-date days a run fetches."""

from __future__ import annotations

from datetime import date

from jobspikr_pipeline.extract import ExtractWindow

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
