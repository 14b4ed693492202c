"""The page prefetcher: order kept, errors surfaced where they happened, memory bounded,
several sources fetched at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from jobspikr_pipeline.prefetch import prefetched_in_order


def test_items_arrive_in_order_then_the_error_in_its_place() -> None:
    def failing(_worker: int) -> Iterator[int]:
        yield from range(5)
        raise RuntimeError("API down")

    def later(_worker: int) -> Iterator[int]:
        yield from range(100, 103)

    got: list[tuple[int, int]] = []
    with pytest.raises(RuntimeError, match="API down"), \
            prefetched_in_order([later, failing, later], workers=3, depth=2) as stream:
        got.extend(stream)
    # the first source whole, then the failing one up to its error; nothing of the third
    assert got == [(0, 100), (0, 101), (0, 102), *((1, i) for i in range(5))]


def test_producer_runs_at_most_depth_ahead_and_stops_when_the_consumer_leaves() -> None:
    produced: list[int] = []
    finished = threading.Event()

    def source(_worker: int) -> Iterator[int]:
        try:
            for i in range(1000):
                produced.append(i)
                yield i
        finally:
            finished.set()

    with prefetched_in_order([source], workers=1, depth=3) as stream:
        assert next(stream) == (0, 0)
        time.sleep(0.3)  # give the producer every chance to run ahead
        assert len(produced) <= 1 + 3 + 1  # consumed + queued + one blocked in put()
    assert finished.wait(5) and len(produced) < 10


def test_sources_are_fetched_at_once_each_by_its_workers_own_client() -> None:
    """Four slow sources with four workers take about one source's time, not four."""
    in_flight = 0
    most = 0
    lock = threading.Lock()
    workers_seen: dict[int, set[int]] = {}

    def slow(index: int):
        def source(worker: int) -> Iterator[int]:
            nonlocal in_flight, most
            workers_seen.setdefault(index, set()).add(worker)
            for page in range(3):
                with lock:
                    in_flight += 1
                    most = max(most, in_flight)
                time.sleep(0.05)
                with lock:
                    in_flight -= 1
                yield page
        return source

    with prefetched_in_order([slow(i) for i in range(8)], workers=4, depth=1) as stream:
        got = list(stream)
    assert got == [(i, page) for i in range(8) for page in range(3)]
    assert most == 4  # four sources in flight at once, never more
    assert all(len(w) == 1 and next(iter(w)) in range(4) for w in workers_seen.values())


def test_no_source_starts_after_one_failed() -> None:
    """A permanent error (a 401) in one day must not be asked again for every later day."""
    started: list[int] = []

    def source(index: int):
        def fetch(_worker: int) -> Iterator[int]:
            started.append(index)
            if index == 0:
                raise PermissionError("401")
            time.sleep(0.05)
            yield index
        return fetch

    with pytest.raises(PermissionError), prefetched_in_order([source(i) for i in range(10)], workers=2) as stream:
        list(stream)
    assert 0 in started and len(started) <= 2  # the failing source and the one fetched beside it


def test_items_fetched_and_not_consumed_weigh_at_most_the_byte_budget_and_the_reader_never_stalls() -> None:
    """However fast the sources, what waits for the consumer stays within ``max_bytes``, plus the
    reader's next item, plus an item per worker (fetched before it is weighed); a full budget held by later sources
    still lets the source being read hand over its next item (else reader and worker would
    wait on each other)."""
    produced = 0

    def source(_worker: int) -> Iterator[int]:
        nonlocal produced
        for _ in range(50):
            produced += 1
            yield 100  # each item weighs 100 bytes

    with prefetched_in_order([source] * 3, workers=3, depth=50, weigh=lambda size: size,
                             max_bytes=1_000) as stream:
        consumed = 0
        for _index, _size in stream:
            consumed += 1
            if consumed in (1, 25, 75):
                time.sleep(0.3)  # the workers run ahead as far as the budget lets them
                assert produced - consumed <= 10 + 1 + 3, (produced, consumed)
    assert consumed == 150
