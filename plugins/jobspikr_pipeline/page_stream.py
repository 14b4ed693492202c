"""The stream of pages: every day's pages and then its end, in day order, with several
days fetched at once ahead of the batch being written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from jobspikr.hook import JobsPikrHook
from jobspikr.paging import StreamEnd
from jobspikr.query import JobsPikrQuery
from jobspikr.responses import Page
from jobspikr_pipeline.load_ledger import WindowStart
from jobspikr_pipeline.prefetch import SourceFactory, prefetched_in_order

#: The most bytes of pages fetched ahead of the batch being written, across all days.
PREFETCH_BYTES = 8 * 2**20


def pages_by_day(hooks: list[JobsPikrHook], query: JobsPikrQuery, starts: dict[date, WindowStart],
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

    with prefetched_in_order([day_pages(day) for day in days], workers=len(hooks), depth=depth,
                             weigh=lambda item: item.byte_size if isinstance(item, Page) else 0,
                             max_bytes=PREFETCH_BYTES) as stream:
        for index, item in stream:
            yield days[index], item
