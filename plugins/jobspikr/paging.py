"""Paging through one query's results: the one place that decides where a stream goes next
and when it has ended.

The API notes leave open how large a page a server honours, whether a page may be short
while more remain, and whether the last page carries a ``next_cursor``. So a stream never
reads the end from a page's shape ("fewer records than I asked for"). It ends only on the
documented signals: a ``no_data`` status, an empty page, or a page without ``next_cursor``,
and only when either

- the API's own count agrees: ``total_count`` (records matching the query) is no more than
  the records received for it, or
- the same request, asked once more, gives an end signal again (a single empty page, as a
  first answer or anywhere else, is a glitch as often as it is the end; asking again costs
  one request and no credits).

Whatever the stream decides, the caller checks the window's stored count against
``total_count`` afterwards (``StreamEnd``): the stream's rule only saves requests, the
reconciliation is what a run's success rests on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from jobspikr.errors import JobsPikrResponseError
from jobspikr.responses import Page

log = logging.getLogger(__name__)

#: Pages in a row that move the cursor nowhere (a repeated page) before the stream gives up.
MAX_STALLED_PAGES = 3


@dataclass(frozen=True)
class StreamEnd:
    """How a stream ended: the last thing a stream's consumer sees after its pages."""

    #: ``total_count`` of the last answer: the records matching the query (None: not sent).
    total_count: int | None
    #: Distinct records this stream received, plus ``already_received`` for a resumed stream.
    received: int
    pages: int
    #: Where a later stream of the same query resumes (None: nothing received, keep the old one).
    resume_cursor: int | None
    #: The end signal it stopped on: ``no_data``, ``empty_page`` or ``no_next_cursor``.
    signal: str
    #: Whether the end was confirmed by the count (else by asking once more).
    confirmed_by_count: bool


class CursorStream:
    """One query's pages from ``start_cursor`` to the end the API signals.

    Iterate it for the pages (each is yielded, empty ones included, so the caller counts
    every request); ``end`` is set once the iteration is over.

    :param fetch: one request for the page at a cursor (``None``: the first page); the
        hook's, with its retries inside.
    :param already_received: records of this query stored before, when resuming from a
        watermark; 0 when reading from the start.
    """

    def __init__(self, fetch: Callable[[int | None], Page], *, start_cursor: int | None = None,
                 already_received: int = 0) -> None:
        self._fetch = fetch
        self.start_cursor = start_cursor
        self.already_received = already_received
        self.end: StreamEnd | None = None
        self._seen: set[str] = set()
        self._rejected = 0

    @property
    def received(self) -> int:
        return self.already_received + len(self._seen) + self._rejected

    def __iter__(self) -> Iterator[Page]:
        cursor = self.start_cursor
        resume: int | None = None
        pages = stalled = 0
        asked_again = False
        while True:
            page = self._fetch(cursor)
            pages += 1
            self._seen.update(record["uniq_id"] for record in page.records)
            self._rejected += len(page.rejected)
            yield page
            # Only a page that sent records moves the resume point: an empty page's
            # next_cursor may point past records it never sent.
            if (page.records or page.rejected) and page.resume_cursor is not None:
                resume = page.resume_cursor if resume is None else max(resume, page.resume_cursor)
            signal = _end_signal(page)
            if signal is not None:
                counted = page.total_count is not None and page.total_count <= self.received
                if counted or asked_again:
                    self.end = StreamEnd(page.total_count, self.received, pages, resume, signal, counted)
                    return
                log.warning("JobsPikr signalled the end (%s) at cursor %s with %s of %s records received; "
                            "asking once more before taking it as the end", signal, cursor, self.received,
                            page.total_count if page.total_count is not None else "an unknown number of")
                asked_again = True
                # An empty page's next_cursor may point past records it did not send: ask
                # the same cursor again. After records without next_cursor, ask past them.
                cursor = cursor if not (page.records or page.rejected) else page.resume_cursor
                continue
            asked_again = False
            advanced = page.next_cursor is not None and (cursor is None or page.next_cursor > cursor)
            if advanced:
                cursor, stalled = page.next_cursor, 0
                continue
            stalled += 1
            if stalled >= MAX_STALLED_PAGES:
                raise JobsPikrResponseError(
                    f"JobsPikr answered {stalled} pages in a row at cursor {cursor} whose next_cursor "
                    f"({page.next_cursor}) does not move past it (host {page.host}); the server is "
                    "repeating itself. Nothing past the last stored watermark was lost.")
            log.warning("JobsPikr page at cursor %s did not move the cursor (next_cursor %s); asking again",
                        cursor, page.next_cursor)


def _end_signal(page: Page) -> str | None:
    """The documented end signal a page carries, if any."""
    if page.status != "success":
        return page.status
    if not page.records and not page.rejected:
        return "empty_page"
    if page.next_cursor is None:
        return "no_next_cursor"
    return None
