"""The cursor stream's end rule on scripted answers (no HTTP: each case is one server
behaviour the API notes allow, answered page by page)."""

from __future__ import annotations

from typing import Any

import pytest

from jobspikr.errors import JobsPikrResponseError
from jobspikr.paging import MAX_STALLED_PAGES, CursorStream
from jobspikr.responses import Page

TOTAL = 5
RECORDS = [{"uniq_id": f"id{n}", "cursor": 10 * (n + 1)} for n in range(TOTAL)]


def page(cursor: int | None, records: list[dict[str, Any]], *, next_cursor: int | None = -1,
         total: int | None = TOTAL, status: str = "success") -> Page:
    if next_cursor == -1:
        next_cursor = records[-1]["cursor"] + 1 if records else None
    return Page(records=records, next_cursor=next_cursor, total_count=total, credits_remaining=None,
                status=status, host="h", requested_cursor=cursor)


class Server:
    """Answers from the record list with a page cap; ``script`` overrides answer n (1-based)."""

    def __init__(self, cap: int, script: dict[int, Any] | None = None, *, last_has_next: bool = True,
                 total: int | None = TOTAL) -> None:
        self.cap, self.script, self.last_has_next, self.total = cap, script or {}, last_has_next, total
        self.asked: list[int | None] = []

    def __call__(self, cursor: int | None) -> Page:
        self.asked.append(cursor)
        scripted = self.script.get(len(self.asked))
        if scripted is not None:
            return scripted(cursor)
        after = [r for r in RECORDS if cursor is None or r["cursor"] >= cursor][: self.cap]
        more = bool(after) and after[-1] is not RECORDS[-1]
        next_cursor = after[-1]["cursor"] + 1 if after and (more or self.last_has_next) else None
        return page(cursor, after, next_cursor=next_cursor, total=self.total)


def received(stream: CursorStream) -> list[str]:
    return [r["uniq_id"] for p in stream for r in p.records]


@pytest.mark.parametrize("last_has_next", [True, False])
@pytest.mark.parametrize("cap", [1, 2, 5])
def test_short_pages_never_end_the_stream(cap: int, last_has_next: bool) -> None:
    server = Server(cap, last_has_next=last_has_next)
    stream = CursorStream(server)
    assert received(stream) == [r["uniq_id"] for r in RECORDS]
    assert stream.end is not None and stream.end.received == TOTAL and stream.end.confirmed_by_count
    # ended by the count: no request beyond the one that said the end
    pages_with_records = -(-TOTAL // cap)
    assert len(server.asked) == pages_with_records + (1 if last_has_next else 0)


def test_an_empty_first_page_is_asked_again_and_the_day_is_not_lost() -> None:
    server = Server(2, {1: lambda c: page(c, [], next_cursor=None)})
    stream = CursorStream(server)
    assert received(stream) == [r["uniq_id"] for r in RECORDS]
    assert server.asked[:2] == [None, None]


def test_an_empty_page_with_a_next_cursor_past_unsent_records_is_asked_at_the_same_cursor() -> None:
    server = Server(2, {2: lambda c: page(c, [], next_cursor=41)})  # would skip id2 and id3
    assert received(CursorStream(server)) == [r["uniq_id"] for r in RECORDS]
    assert server.asked[1] == server.asked[2] == 21


def test_without_a_count_an_end_is_confirmed_by_asking_once_more() -> None:
    server = Server(5, total=None, last_has_next=False)
    stream = CursorStream(server)
    assert len(received(stream)) == TOTAL
    assert server.asked == [None, 51] and stream.end is not None and not stream.end.confirmed_by_count


def test_two_end_signals_in_a_row_end_the_stream_even_if_short() -> None:
    """The stream stops; the window's reconciliation (extract) sees the shortfall."""
    empty = lambda c: page(c, [], next_cursor=None)  # noqa: E731
    stream = CursorStream(Server(2, {1: empty, 2: empty}))
    assert received(stream) == []
    assert stream.end is not None and (stream.end.received, stream.end.total_count) == (0, TOTAL)


def test_a_resumed_stream_counts_what_earlier_loads_received() -> None:
    server = Server(5)
    stream = CursorStream(server, start_cursor=51, already_received=TOTAL)
    assert received(stream) == []
    assert server.asked == [51]  # the count agrees at once: one request


def test_a_repeated_page_does_not_move_the_cursor_back_and_endless_repeats_fail() -> None:
    repeat = lambda c: page(c, RECORDS[:2])  # noqa: E731 (next_cursor 21 again)
    server = Server(2, {2: repeat})
    assert len(set(received(CursorStream(server)))) == TOTAL
    assert server.asked[:3] == [None, 21, 21]
    stuck = Server(2, dict.fromkeys(range(2, 2 + MAX_STALLED_PAGES), repeat))
    with pytest.raises(JobsPikrResponseError, match="repeating itself"):
        received(CursorStream(stuck))


def test_no_data_status_is_an_end_signal() -> None:
    server = Server(5, {2: lambda c: page(c, [], next_cursor=None, status="no_data")})
    stream = CursorStream(server)
    assert len(received(stream)) == TOTAL and stream.end is not None and stream.end.signal == "no_data"
