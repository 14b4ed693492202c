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
- every day fetched is reconciled with the API's ``total_count`` for it (see
  ``extract_and_load``); a day that ends short is fetched again, and a run that cannot
  close the gap does not succeed;
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

from jobspikr.errors import JobsPikrConfigError, JobsPikrIncompleteError
from jobspikr.hook import JobsPikrHook
from jobspikr.paging import StreamEnd
from jobspikr.query import JobsPikrQuery
from jobspikr.responses import Page, Rejected
from jobspikr_pipeline.alerts import gap_alert
from jobspikr_pipeline.prefetch import SourceFactory, prefetched_in_order
from jobspikr_pipeline.raw_loader import RawLoader, WindowCheck, WindowStart

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
                     window: ExtractWindow, *, airflow_run_id: str | None, batch_records: int = 5_000,
                     on_incomplete: str = "fail") -> dict[str, Any]:
    """Fetch every day of ``window`` from its watermark into raw, reconcile each day with the
    API's ``total_count``, and return the load summary.

    Days a past load found short are added whatever the look-back, and fetched from their
    start. Pass 1 fetches every day; a day whose stored records fall short of the API's count
    is fetched once more from its start (pass 2). What is still short is in the load log with
    its counts, and then the load fails (``on_incomplete="fail"``, the default) or logs a
    warning and says so in the summary (``"warn"``): never a plain success over a gap.

    Up to ``parallel_days`` days are fetched at once by background threads while batches
    are written. Memory holds one batch (``batch_records`` records) plus about one batch of
    prefetched pages across all days. Each batch commits with its watermark, so a failure
    loses at most the batch in flight, which the next run fetches again.
    """
    if on_incomplete not in ON_INCOMPLETE:
        raise JobsPikrConfigError(f"on_incomplete must be one of {sorted(ON_INCOMPLETE)}, got {on_incomplete!r}")
    loader = RawLoader(conn, query_key=query.key(), airflow_run_id=airflow_run_id)
    hooks = [hook]
    try:
        days = window.days(first_load=not loader.has_loaded_before(), resume_from=loader.newest_watermark_day())
        days = sorted(set(days) | set(loader.short_days()))
        log.info("JobsPikr load %d: %d post-date day(s) %s..%s", loader.load_id, len(days), days[0], days[-1])
        streams = min(hook.settings.parallel_days, len(days))
        hooks += [hook.sibling() for _ in range(streams - 1)]
        depth = max(2, batch_records // hook.settings.page_size // streams)
        # Only this load writes these days (it holds the filters' advisory lock), so where
        # each starts can be read once, up front, for the fetching threads to start from.
        starts = loader.window_starts(days)
        checks = _load_pass(loader, hooks, query, starts, depth, batch_records, pass_number=1)
        short = [day for day, check in checks.items() if check.complete is False]
        if short:
            log.warning("JobsPikr load %d: %d day(s) short of the API's count (%s); fetching them again from "
                        "their start", loader.load_id, len(short), "; ".join(checks[d].describe() for d in short))
            again = {day: WindowStart(None, 0) for day in short}
            checks.update(_load_pass(loader, hooks, query, again, depth, batch_records, pass_number=2))
        loader.record_outcome(list(checks.values()))
        incomplete = [check for check in checks.values() if check.complete is not True]
        if incomplete and on_incomplete == "fail":
            raise JobsPikrIncompleteError(_incomplete_message(loader.load_id, incomplete))
    except BaseException as exc:
        summary = loader.finish(exc)
        log.error("JobsPikr load %d failed after %s", loader.load_id, summary)
        raise
    summary = loader.finish()
    remaining = [h.last_credits_remaining for h in hooks if h.last_credits_remaining is not None]
    summary["credits_remaining"] = min(remaining, default=None)
    summary["windows_checked"] = len(checks)
    summary["incomplete_windows"] = [check.describe() for check in incomplete]
    if incomplete:
        gap_alert(f"JobsPikr load {loader.load_id} SUCCEEDED WITH GAPS (on_incomplete=warn): "
                  f"{_incomplete_message(loader.load_id, incomplete)}")
    log.info("JobsPikr load summary: %s", summary)
    return summary


#: What a load does with a window still short after its second pass.
ON_INCOMPLETE = frozenset({"fail", "warn"})


def _incomplete_message(load_id: int, incomplete: list[WindowCheck]) -> str:
    return (f"{len(incomplete)} post-date window(s) hold fewer records than JobsPikr counts for them, after "
            f"fetching them again from their start: {'; '.join(c.describe() for c in incomplete)}. "
            "What was received is kept; the next run fetches these windows again from their start "
            f"(raw.jobspikr_windows); this load's per-window counts are in raw.jobspikr_load_windows, "
            f"load_id {load_id}.")


def _load_pass(loader: RawLoader, hooks: list[JobsPikrHook], query: JobsPikrQuery,
               starts: dict[date, WindowStart], depth: int, batch_records: int,
               *, pass_number: int) -> dict[date, WindowCheck]:
    """Fetch and land every day of ``starts``; reconcile each one as its stream ends."""
    checks: dict[date, WindowCheck] = {}
    batch: list[dict[str, Any]] = []
    rejected: list[Rejected] = []
    pages = byte_count = 0
    cursor: int | None = None
    host = hooks[0].hosts.active
    for day, item in _pages_by_day(hooks, query, starts, depth):
        if isinstance(item, StreamEnd):
            loader.load_batch(batch, post_date=day, next_cursor=item.resume_cursor, pages=pages,
                              byte_count=byte_count, host=host, rejected=rejected)
            check = loader.reconcile(day, expected=item.total_count, pages=item.pages, pass_number=pass_number,
                                     from_cursor=starts[day].cursor, end_signal=item.signal)
            log.info("JobsPikr window %s (pass %d): %d page(s), received %d of %s", day, pass_number,
                     item.pages, check.received, check.expected)
            checks[day] = check
            batch, rejected, pages, byte_count, cursor = [], [], 0, 0, None
            continue
        batch.extend(item.records)
        rejected.extend(item.rejected)
        pages += 1
        byte_count += item.byte_size
        host = item.host
        if (item.records or item.rejected) and item.resume_cursor is not None:
            cursor = item.resume_cursor if cursor is None else max(cursor, item.resume_cursor)
        if len(batch) >= batch_records:
            loader.load_batch(batch, post_date=day, next_cursor=cursor, pages=pages, byte_count=byte_count,
                              host=host, rejected=rejected)
            batch, rejected, pages, byte_count = [], [], 0, 0
    return checks


def _pages_by_day(hooks: list[JobsPikrHook], query: JobsPikrQuery, starts: dict[date, WindowStart],
                  depth: int) -> Iterator[tuple[date, Page | StreamEnd]]:
    """Every day's pages and then its ``StreamEnd``, in day order, with ``len(hooks)`` days
    fetched at once.

    Each fetching thread has its own hook (worker n uses ``hooks[n]``); the shared rate
    limiter keeps the total within budget. A failure in a later day's fetch surfaces when
    the consumer reaches that day, after the days before it are landed.
    """
    days = list(starts)

    def day_pages(day: date) -> SourceFactory[Page | StreamEnd]:
        def pages(worker: int) -> Iterator[Page | StreamEnd]:
            start = starts[day]
            stream = hooks[worker].stream(query.with_post_dates(day, day), start.cursor,
                                          already_received=start.received)
            yield from stream
            assert stream.end is not None
            yield stream.end
        return pages

    with prefetched_in_order([day_pages(day) for day in days], workers=len(hooks), depth=depth) as stream:
        for index, item in stream:
            yield days[index], item
