"""A load's progress: one log line per landed batch, on the ``jobspikr.progress`` logger.

Each line names the window, the batch and the running totals (records, pages, rows/s,
credits left), so a long first load shows where it is in the task log, and
``./pipeline run`` draws the same figures live (the record's ``progress`` attribute).
The hook adds a line on the same logger for each wait before a retry (the record's
``waiting`` attribute: why, and until when), so a throttled load reads as waiting, not
stuck.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from jobspikr.hook import JobsPikrHook
from jobspikr_pipeline.load_ledger import LoadCounts
from jobspikr_pipeline.raw_loader import RawLoader

log = logging.getLogger("jobspikr.progress")


@dataclass(frozen=True)
class ProgressFigures:
    """What a progress line says, as data (``./pipeline run``'s live display reads it)."""

    load_id: int
    window: str
    batch_records: int
    records: int
    pages: int
    rows_per_second: float
    days_done: int
    days: int
    credits_remaining: int | None


class LoadProgress:
    """The running totals of one load, logged as each batch lands."""

    def __init__(self, loader: RawLoader, hooks: Sequence[JobsPikrHook], *, days: int) -> None:
        self._loader = loader
        self._hooks = hooks
        self._started = time.monotonic()
        self.days = days
        self.days_done = 0

    def batch_landed(self, post_date: date, batch: LoadCounts, *, window_done: bool) -> None:
        self.days_done += window_done
        counts = self._loader.ledger.counts
        seconds = max(time.monotonic() - self._started, 1e-6)
        remaining = [h.last_credits_remaining for h in self._hooks if h.last_credits_remaining is not None]
        figures = ProgressFigures(
            load_id=self._loader.ledger.load_id, window=post_date.isoformat(), batch_records=batch.records_received,
            records=counts.records_received, pages=counts.pages,
            rows_per_second=round(counts.records_received / seconds, 1), days_done=self.days_done,
            days=self.days, credits_remaining=min(remaining, default=None))
        extra: dict[str, Any] = {"progress": asdict(figures)}
        log.info("JobsPikr load %d: window %s%s: %d record(s) landed; so far %d record(s) in %d page(s), "
                 "%.0f rows/s, %d of %d day(s) done, credits left %s", figures.load_id, figures.window,
                 " (complete)" if window_done else "", figures.batch_records, figures.records, figures.pages,
                 figures.rows_per_second, figures.days_done, figures.days,
                 "unknown" if figures.credits_remaining is None else figures.credits_remaining, extra=extra)
