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
from datetime import date
from typing import Any

import psycopg

from jobspikr.errors import JobsPikrConfigError, JobsPikrIncompleteError
from jobspikr.hook import JobsPikrHook
from jobspikr.paging import StreamEnd
from jobspikr.query import JobsPikrQuery
from jobspikr.responses import Rejected
from jobspikr_pipeline.alerts import gap_alert, warn_nothing_fetched
from jobspikr_pipeline.extract_plan import ExtractWindow, find_empty_days
from jobspikr_pipeline.landing import Landing
from jobspikr_pipeline.load_ledger import WindowCheck, WindowStart
from jobspikr_pipeline.page_stream import pages_by_day
from jobspikr_pipeline.progress import LoadProgress
from jobspikr_pipeline.raw_loader import RawLoader
from jobspikr_pipeline.raw_rows import Prepared

log = logging.getLogger(__name__)


#: A batch is written when it holds this many records or this many bytes of the API's JSON,
#: whichever comes first: real records are about 10 KB, so a count alone let a batch reach
#: 50 MB of text (and several times that as parsed objects).
BATCH_RECORDS = 5_000
BATCH_BYTES = 8 * 2**20


def extract_and_load(hook: JobsPikrHook, conn: psycopg.Connection, query: JobsPikrQuery,
                     window: ExtractWindow, *, airflow_run_id: str | None, batch_records: int = BATCH_RECORDS,
                     on_incomplete: str = "fail") -> dict[str, Any]:
    """Fetch every day of ``window`` from its watermark into raw, reconcile each day with the
    API's ``total_count``, and return the load summary.

    Days a past load found short are added whatever the look-back, and fetched from their
    start. Pass 1 fetches every day; a day whose stored records fall short of the API's count
    is fetched once more from its start (pass 2). What is still short is in the load log with
    its counts, and then the load fails (``on_incomplete="fail"``, the default) or logs a
    warning and says so in the summary (``"warn"``): never a plain success over a gap.

    Up to ``parallel_days`` days are fetched at once by background threads, and batches land
    on a thread of their own while the next one is prepared (``landing.Landing``). Memory holds two
    batches of prepared rows (``batch_records`` records or BATCH_BYTES of API JSON, whichever
    is less: one landing, one being filled) plus at most ``page_stream.PREFETCH_BYTES`` of prefetched pages
    across all days. Each batch commits with its watermark, so a failure loses at most the
    batch in flight, which the next run fetches again.
    """
    if on_incomplete not in ON_INCOMPLETE:
        raise JobsPikrConfigError(f"on_incomplete must be one of {sorted(ON_INCOMPLETE)}, got {on_incomplete!r}")
    loader = RawLoader(conn, query_key=query.key(), airflow_run_id=airflow_run_id)
    ledger = loader.ledger
    hooks = [hook]
    checks: dict[date, WindowCheck] = {}
    probes = 0
    try:
        first_load = not ledger.has_loaded_before()
        days = window.days(first_load=first_load, resume_from=ledger.newest_watermark_day())
        days = sorted(set(days) | set(ledger.short_days()))
        log.info("JobsPikr load %d: %d post-date day(s) %s", ledger.load_id, len(days),
                 f"{days[0]}..{days[-1]}" if days else "(none: the window is empty)")
        # Only this load writes these days (it holds the filters' advisory lock), so where
        # each starts can be read once, up front, for the fetching threads to start from.
        starts = ledger.window_starts(days)
        never_fetched = [day for day, start in starts.items() if start == WindowStart(None, 0)]
        empty, probes = find_empty_days(lambda first, last: hook.count(query.with_post_dates(first, last)),
                                        never_fetched)
        for day in sorted(empty):
            checks[day] = ledger.reconcile(day, expected=0, pages=0, pass_number=1, from_cursor=None,
                                           end_signal="empty_range")
        if probes:
            log.info("JobsPikr load %d: %d request(s) for the counts of %d never-fetched day(s): %d are empty "
                     "and are not fetched", ledger.load_id, probes, len(never_fetched), len(empty))
        starts = {day: start for day, start in starts.items() if day not in empty}
        streams = max(1, min(hook.settings.parallel_days, len(starts)))
        hooks += [hook.sibling() for _ in range(streams - 1)]
        depth = max(2, batch_records // hook.settings.page_size // streams)
        progress = LoadProgress(loader, hooks, days=len(starts))
        checks.update(_load_pass(loader, hooks, query, starts, depth, batch_records, pass_number=1,
                                 progress=progress))
        short = [day for day, check in checks.items() if check.complete is False]
        if short:
            log.warning("JobsPikr load %d: %d day(s) short of the API's count (%s); fetching them again from "
                        "their start", ledger.load_id, len(short), "; ".join(checks[d].describe() for d in short))
            again = {day: WindowStart(None, 0) for day in short}
            progress.days += len(again)
            checks.update(_load_pass(loader, hooks, query, again, depth, batch_records, pass_number=2,
                                     progress=progress))
        ledger.record_outcome(list(checks.values()))
        incomplete = [check for check in checks.values() if check.complete is not True]
        if incomplete and on_incomplete == "fail":
            raise JobsPikrIncompleteError(_incomplete_message(ledger.load_id, incomplete))
    except BaseException as exc:
        summary = ledger.finish(exc)
        log.error("JobsPikr load %d failed after %s", ledger.load_id, summary)
        raise
    summary = ledger.finish()
    new_fields = ledger.new_fields()
    summary["new_fields"] = [{"field": f.name, "share": round(f.share, 4)} for f in new_fields]
    if new_fields:
        log.warning("JobsPikr load %d: new field(s) in the records (kept in the payload; raw.jobspikr_fields_seen): "
                    "%s", ledger.load_id, ", ".join(f.describe() for f in new_fields))
    remaining = [h.last_credits_remaining for h in hooks if h.last_credits_remaining is not None]
    summary["credits_remaining"] = min(remaining, default=None)
    summary["windows_checked"] = len(checks)
    summary["count_requests"] = probes
    summary["incomplete_windows"] = [check.describe() for check in incomplete]
    summary["nothing_fetched"] = None
    counted = sum(check.expected or 0 for check in checks.values())
    if summary["records_received"] == 0 and counted == 0:
        summary["nothing_fetched"] = nothing_fetched_message(window, first_load=first_load)
        warn_nothing_fetched(summary["nothing_fetched"])
    elif summary["records_received"] == 0:
        log.info("JobsPikr load %d: nothing new; the %d record(s) JobsPikr counts for these days were all "
                 "loaded before", ledger.load_id, counted)
    if incomplete:
        gap_alert(f"JobsPikr load {ledger.load_id} SUCCEEDED WITH GAPS (on_incomplete=warn): "
                  f"{_incomplete_message(ledger.load_id, incomplete)}")
    log.info("JobsPikr load summary: %s", summary)
    return summary


def nothing_fetched_message(window: ExtractWindow, *, first_load: bool) -> str:
    """Why a load that fetched no record did not fetch one, and how to widen it: a run that
    received nothing is a success only if nothing was there, and the user should know what
    was asked."""
    load = "first load" if first_load else "load"
    return (f"fetched 0 records: this {load} asked JobsPikr for {window.describe(first_load=first_load)} "
            "and it counts none there. To reach further back: ./pipeline run --since YYYY-MM-DD (the DAG's "
            "'since' param, or JOBSPIKR_SINCE); the filters are in config/jobspikr_filters.json.")


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
               *, pass_number: int, progress: LoadProgress) -> dict[date, WindowCheck]:
    """Fetch and land every day of ``starts``; reconcile each one as its stream ends."""
    checks: dict[date, WindowCheck] = {}
    batch = Prepared()
    rejected: list[Rejected] = []
    pages = byte_count = 0
    cursor: int | None = None
    host = hooks[0].hosts.active

    def land_batch(day: date, rows: Prepared, rejects: list[Rejected], next_cursor: int | None,
                   page_count: int, size: int, source_host: str, end: StreamEnd | None) -> None:
        """On the landing thread: one batch, and when its day's stream ended, the day's check."""
        landed = loader.land(rows, post_date=day, next_cursor=next_cursor, pages=page_count, byte_count=size,
                             host=source_host, rejected=rejects)
        progress.batch_landed(day, landed, window_done=end is not None)
        if end is None:
            return
        check = loader.ledger.reconcile(day, expected=end.total_count, pages=end.pages, pass_number=pass_number,
                                        from_cursor=starts[day].cursor, end_signal=end.signal)
        log.info("JobsPikr window %s (pass %d): %d page(s), received %d of %s", day, pass_number,
                 end.pages, check.received, check.expected)
        checks[day] = check

    with Landing() as landing:
        for day, item in pages_by_day(hooks, query, starts, depth):
            if isinstance(item, StreamEnd):
                landing.submit(land_batch, day, batch, rejected, item.resume_cursor, pages, byte_count, host, item)
                batch, rejected, pages, byte_count, cursor = Prepared(), [], 0, 0, None
                continue
            batch.extend(loader.prepare(item.records))
            rejected.extend(item.rejected)
            pages += 1
            byte_count += item.byte_size
            host = item.host
            if (item.records or item.rejected) and item.resume_cursor is not None:
                cursor = item.resume_cursor if cursor is None else max(cursor, item.resume_cursor)
            if len(batch) >= batch_records or byte_count >= BATCH_BYTES:
                landing.submit(land_batch, day, batch, rejected, cursor, pages, byte_count, host, None)
                batch, rejected, pages, byte_count = Prepared(), [], 0, 0
    return checks
