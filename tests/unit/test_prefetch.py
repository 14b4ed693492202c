"""The page prefetcher: order kept, errors surfaced where they happened, memory bounded."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from jobspikr_pipeline.prefetch import prefetched


def test_items_arrive_in_order_then_the_error_in_its_place() -> None:
    def source() -> Iterator[int]:
        yield from range(5)
        raise RuntimeError("API down")

    got: list[int] = []
    with pytest.raises(RuntimeError, match="API down"), prefetched(source(), depth=2) as stream:
        got.extend(stream)
    assert got == [0, 1, 2, 3, 4]


def test_producer_runs_at_most_depth_ahead_and_stops_when_the_consumer_leaves() -> None:
    produced: list[int] = []
    finished = threading.Event()

    def source() -> Iterator[int]:
        try:
            for i in range(1000):
                produced.append(i)
                yield i
        finally:
            finished.set()

    with prefetched(source(), depth=3) as stream:
        assert next(stream) == 0
        time.sleep(0.3)  # give the producer every chance to run ahead
        assert len(produced) <= 1 + 3 + 1  # consumed + queued + one blocked in put()
    assert finished.wait(5) and len(produced) < 10
