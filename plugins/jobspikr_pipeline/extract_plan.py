"""The plan of a load: which post-date days one run fetches (``ExtractWindow``), and which
of the never-fetched ones JobsPikr counts nothing for (``find_empty_days``), so they cost
no request each."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from jobspikr.errors import JobsPikrConfigError


@dataclass(frozen=True)
class ExtractWindow:
    """The post dates one run covers: ``[interval_start, interval_end)`` plus look-back.

    ``since`` (``./pipeline run --since``, the DAG's ``since`` param) reaches back to a day
    on any load, each day from its watermark; ``post_date_from`` / ``post_date_to`` (the
    filters of that name) bound every load: no day outside them is fetched, and a first load
    reaches back to ``post_date_from`` rather than ``backfill_start``.
    """

    interval_start: date
    interval_end: date
    backfill_start: date
    lookback_days: int = 3
    since: date | None = None
    post_date_from: date | None = None
    post_date_to: date | None = None

    @classmethod
    def for_run(cls, interval_start: date, interval_end: date, *, backfill_days: int, lookback_days: int,
                since: date | None = None, post_date_from: date | None = None,
                post_date_to: date | None = None) -> ExtractWindow:
        """The window of a DAG run over ``[interval_start, interval_end)`` with its params: a
        first load reaches ``backfill_days`` before the interval."""
        return cls(interval_start=interval_start, interval_end=interval_end,
                   backfill_start=interval_start - timedelta(days=backfill_days), lookback_days=lookback_days,
                   since=since, post_date_from=post_date_from, post_date_to=post_date_to)

    def __post_init__(self) -> None:
        if self.since and self.since >= self.interval_end:
            raise JobsPikrConfigError(f"since {self.since} is not before the run's interval end "
                                      f"{self.interval_end}: there is nothing posted since then to fetch yet")

    def days(self, *, first_load: bool, resume_from: date | None = None) -> list[date]:
        """The post dates to fetch; ``resume_from`` is the newest day with a watermark."""
        first = self.post_date_from or self.backfill_start
        start = first if first_load else self.interval_start - timedelta(days=self.lookback_days)
        start = min(start, self.interval_start, resume_from or start, self.since or start)
        last = max(self.interval_end - timedelta(days=1), self.interval_start)
        start = max(start, self.post_date_from or start)
        last = min(last, self.post_date_to or last)
        return [start + timedelta(days=n) for n in range((last - start).days + 1)]

    def describe(self, *, first_load: bool) -> str:
        """The window in words, for the message of a load that fetched nothing."""
        days = self.days(first_load=first_load)
        asked = f"post dates {days[0]}..{days[-1]}" if days else "no post dates at all"
        bounds = ""
        if self.post_date_from or self.post_date_to:
            bounds = (f" (bounded by the filters post_date_from {self.post_date_from or '-'}, "
                      f"post_date_to {self.post_date_to or '-'})")
        return asked + bounds


def find_empty_days(count: Callable[[date, date], int | None], days: Sequence[date]) -> tuple[set[date], int]:
    """The days among ``days`` (never fetched yet) that JobsPikr counts no records for, and
    the requests it took to find them.

    Fetching a day costs at least one request, empty or not, so a first load over years of
    empty days would cost one request per day (``./pipeline bench firstload``,
    bench/results/first_load.md). Instead a run of consecutive days is asked for its ``total_count`` in one
    request (``count``, inclusive bounds); a range counted 0 is empty as a whole, a range
    with records is split in two and each half asked again. A single day is never asked:
    fetching it costs the same request. A server that sends no ``total_count`` (None) gets
    every day fetched.
    """
    empty: set[date] = set()
    probes = 0
    counted = True

    def visit(run: Sequence[date]) -> None:
        nonlocal probes, counted
        if len(run) < 2 or not counted:
            return
        probes += 1
        total = count(run[0], run[-1])
        if total is None:
            counted = False
        elif total == 0:
            empty.update(run)
        else:
            middle = len(run) // 2
            visit(run[:middle])
            visit(run[middle:])

    for run in _consecutive_runs(sorted(days)):
        visit(run)
    return empty, probes


def _consecutive_runs(days: Sequence[date]) -> Iterator[list[date]]:
    run: list[date] = []
    for day in days:
        if run and day != run[-1] + timedelta(days=1):
            yield run
            run = []
        run.append(day)
    if run:
        yield run
