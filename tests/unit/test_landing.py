"""Batches land on a thread of their own, one at a time, in order (``landing.Landing``)."""

from __future__ import annotations

import threading
import time

import pytest

from jobspikr_pipeline.landing import Landing


def test_batches_land_in_order_one_at_a_time_off_the_callers_thread() -> None:
    landed: list[int] = []
    threads: set[str] = set()
    busy = threading.Lock()

    def land(n: int) -> None:
        assert busy.acquire(blocking=False), "two batches landing at once"
        try:
            time.sleep(0.01)
            landed.append(n)
            threads.add(threading.current_thread().name)
        finally:
            busy.release()

    with Landing() as landing:
        for n in range(5):
            landing.submit(land, n)
    assert landed == [0, 1, 2, 3, 4]  # the block waited for the last one
    assert threads and threading.current_thread().name not in threads


def test_a_failed_batch_stops_the_next_from_landing_and_raises_in_the_caller() -> None:
    landed: list[int] = []

    def land(n: int) -> None:
        if n == 1:
            raise RuntimeError("batch 1 failed")
        landed.append(n)

    with pytest.raises(RuntimeError, match="batch 1 failed"), Landing() as landing:
        for n in range(4):
            landing.submit(land, n)
    assert landed == [0]


def test_an_error_in_the_caller_waits_for_the_batch_in_flight_and_wins(caplog) -> None:
    finished = threading.Event()

    def slow(fail: bool) -> None:
        time.sleep(0.2)
        finished.set()
        if fail:
            raise RuntimeError("the batch failed too")

    with pytest.raises(ValueError, match="fetch failed"), Landing() as landing:
        landing.submit(slow, True)
        raise ValueError("fetch failed")
    assert finished.is_set()  # the connection is free again when the caller's error surfaces
    assert "the batch failed too" in caplog.text
