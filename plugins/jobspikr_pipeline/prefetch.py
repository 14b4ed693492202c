"""Fetch the next pages while the current batch is being written.

The API wait and the database wait are the two big costs of a load and they do not
compete for the same resource, so a producer thread pulls pages into a small bounded
queue while the consumer COPYs. ``depth`` bounds memory: at most ``depth`` pages wait.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


@contextmanager
def prefetched(source: Iterator[T], depth: int = 2) -> Iterator[Iterator[T]]:
    """Iterate ``source`` in a background thread; errors re-raise in the consumer, in order.

    Leaving the ``with`` block (normally or by an exception) stops the producer.
    """
    buffer: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in source:
                if not put(item):
                    return
        except BaseException as exc:  # noqa: BLE001 (handed to the consumer, which re-raises it)
            put(exc)
            return
        put(_DONE)

    def consume() -> Iterator[T]:
        while True:
            item = buffer.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]

    producer = threading.Thread(target=produce, name="jobspikr-prefetch", daemon=True)
    producer.start()
    try:
        yield consume()
    finally:
        stop.set()
        producer.join(timeout=30)
