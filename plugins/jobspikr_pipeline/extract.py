"""Extract JobsPikr pages and land them in ``raw``: the body of the DAG's extract task.

Work is split by post date. Each (filters, post-date day) is its own cursor stream with
its own watermark, so:

- a run for the interval ``[start, end)`` fetches the days in it, plus ``lookback_days``
  before it, each from where the last run of that day stopped: records JobsPikr indexes
  late are picked up, and no record is paid for twice;
- the first run of a set of filters backfills from ``backfill_start``;
- after an outage longer than the look-back, the run starts from the newest day that has a
  watermark, so the days the failed runs should have fetched are not skipped;
- a rerun or a backfill of a past interval resumes the same streams, so it is idempotent;
- several days are fetched at once (extra ``parallel_days``), within the one rate limit,
  while batches are written in day order.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import psycopg

from jobspikr.hook import JobsPikrHook
from jobspikr.query import JobsPikrQuery
from jobspikr.responses import Page, Rejected
from jobspikr_pipeline.prefetch import SourceFactory, prefetched_in_order
from jobspikr_pipeline.raw_loader import RawLoader

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExtractWindow:
    """The post dates one run covers: ``[interval_start, interval_end)`` plus look-back."""

    interval_start: date
    interval_end: date
    backfill_start: date
    lookback_days: int = 3

    def days(self, *, first_load: bool, resume_from: date | None = None) -> list[date]:
        """The post dates to fetch; ``resume_from`` is the newest day with a watermark."""
        start = self.backfill_start if first_load else self.interval_start - timedelta(days=self.lookback_days)
        start = min(start, self.interval_start, resume_from or start)
        last = max(self.interval_end - timedelta(days=1), self.interval_start)
        return [start + timedelta(days=n) for n in range((last - start).days + 1)]


def extract_and_load(hook: JobsPikrHook, conn: psycopg.Connection, query: JobsPikrQuery,
                     window: ExtractWindow, *, airflow_run_id: str | None,
                     batch_records: int = 5_000) -> dict[str, Any]:
    """Fetch every day of ``window`` from its watermark into raw; return the load summary.

    Up to ``parallel_days`` days are fetched at once by background threads while batches
    are written (see ``_pages_by_day``). Memory holds one batch (``batch_records``
    records) plus about one batch of prefetched pages across all days. Each batch commits
    with its watermark, so a failure loses at most the batch in flight, which the next run
    fetches again.
    """
    loader = RawLoader(conn, query_key=query.key(), airflow_run_id=airflow_run_id)
    hooks = [hook]
    try:
        days = window.days(first_load=not loader.has_loaded_before(), resume_from=loader.newest_watermark_day())
        log.info("JobsPikr load %d: %d post-date day(s) %s..%s", loader.load_id, len(days), days[0], days[-1])
        # Only this load writes these watermarks (it holds the filters' advisory lock), so
        # they can be read once, up front, for the fetching threads to start from.
        starts = {day: loader.watermark(day) for day in days}
        streams = min(hook.settings.parallel_days, len(days))
        hooks += [hook.sibling() for _ in range(streams - 1)]
        depth = max(2, batch_records // hook.settings.page_size // streams)
        _load_pages(loader, _pages_by_day(hooks, query, starts, depth), batch_records)
    except BaseException as exc:
        summary = loader.finish(exc)
        log.error("JobsPikr load %d failed after %s", loader.load_id, summary)
        raise
    summary = loader.finish()
    remaining = [h.last_credits_remaining for h in hooks if h.last_credits_remaining is not None]
    summary["credits_remaining"] = min(remaining, default=None)
    log.info("JobsPikr load summary: %s", summary)
    return summary


def _pages_by_day(hooks: list[JobsPikrHook], query: JobsPikrQuery, starts: dict[date, int | None],
                  depth: int) -> Iterator[tuple[date, Page]]:
    """Every day's pages, in day order, with ``len(hooks)`` days fetched at once.

    Each fetching thread has its own hook (worker n uses ``hooks[n]``); the shared rate
    limiter keeps the total within budget. A failure in a later day's fetch surfaces when
    the consumer reaches that day, after the days before it are landed.
    """
    days = list(starts)

    def day_pages(day: date) -> SourceFactory[Page]:
        return lambda worker: hooks[worker].iter_pages(query.with_post_dates(day, day), starts[day])

    with prefetched_in_order([day_pages(day) for day in days], workers=len(hooks), depth=depth) as stream:
        for index, page in stream:
            yield days[index], page


def _load_pages(loader: RawLoader, stream: Iterator[tuple[date, Page]], batch_records: int) -> None:
    """Group each day's pages into batches; land a batch when full or when the day ends."""
    batch: list[dict[str, Any]] = []
    rejected: list[Rejected] = []
    pages = byte_count = 0
    cursor: int | None = None
    for day, page in stream:
        if pages == 0:
            cursor = page.requested_cursor
        batch.extend(page.records)
        rejected.extend(page.rejected)
        pages += 1
        byte_count += page.byte_size
        if page.records or page.rejected:
            cursor = page.resume_cursor or cursor
        if len(batch) >= batch_records or page.is_last:
            loader.load_batch(batch, post_date=day, next_cursor=cursor, pages=pages,
                              byte_count=byte_count, host=page.host, rejected=rejected)
            batch, rejected, pages, byte_count = [], [], 0, 0
