"""Fetch the next pages while the current batch is being written, several streams at once.

The API wait and the database wait are the two big costs of a load and they do not
compete for the same resource, so worker threads pull pages into small bounded queues
while the consumer COPYs. With a slow API one stream cannot use the whole rate limit, so
several sources (post-date days) are fetched at once, and the consumer still reads them
one after another, in order.

Memory is bounded: each source's queue holds at most ``depth`` items, workers run at most
``2 * workers`` sources ahead of the consumer, and, given ``weigh``, the items fetched and
not yet consumed weigh at most ``max_bytes`` (plus one item: the source being consumed gets
its next item whenever its queue is empty, so a full budget never stalls the consumer). A
page of real records is about 1 MB: a count of pages alone let a fast API fill hundreds of
MB ahead of the database.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
_DONE = object()

#: Builds a source's iterator; gets the number of the worker thread that runs it, so each
#: worker can use its own client (an HTTP session belongs to one thread).
SourceFactory = Callable[[int], Iterator[T]]


@contextmanager
def prefetched_in_order(sources: Sequence[SourceFactory[T]], *, workers: int, depth: int = 2,
                        weigh: Callable[[T], int] | None = None,
                        max_bytes: int = 0) -> Iterator[Iterator[tuple[int, T]]]:
    """Iterate every source's items as ``(source index, item)``, sources in order, with up to
    ``workers`` sources fetched at once by background threads.

    A worker takes the next source as soon as it has fetched its current one, so no worker
    waits on the consumer longer than a queue is full. An error re-raises in the consumer
    where it happened: after every item before it. Leaving the ``with`` block (normally or
    by an exception) stops the workers.
    """
    buffers: list[queue.Queue[object]] = [queue.Queue(maxsize=depth) for _ in sources]
    stop = threading.Event()
    #: After a source fails, no new source starts: the consumer raises when it reaches the
    #: failure, and requests for later sources would be spent for nothing (a 401 per day).
    failed = threading.Event()
    ahead = threading.Semaphore(2 * workers)  # sources taken but not yet consumed
    next_source = iter(range(len(sources)))
    take = threading.Lock()
    budget = threading.Condition()
    held = 0  # bytes fetched and not yet consumed
    consuming = 0  # the source the consumer reads

    def admit(index: int, size: int) -> None:
        nonlocal held
        with budget:
            while (weigh and held and held + size > max_bytes and not stop.is_set()
                   and not (index == consuming and buffers[index].empty())):
                budget.wait(0.1)
            held += size

    def release(size: int) -> None:
        nonlocal held
        with budget:
            held -= size
            budget.notify_all()

    def put(buffer: queue.Queue[object], item: object) -> bool:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def fetch(index: int, worker: int) -> None:
        try:
            for item in sources[index](worker):
                admit(index, weigh(item) if weigh else 0)
                if not put(buffers[index], item):
                    return
        except BaseException as exc:  # noqa: BLE001 (handed to the consumer, which re-raises it)
            failed.set()
            put(buffers[index], exc)
            return
        put(buffers[index], _DONE)

    def work(worker: int) -> None:
        while not stop.is_set():
            if not ahead.acquire(timeout=0.1):
                continue
            with take:
                index = None if failed.is_set() else next(next_source, None)
            if index is None:
                return
            fetch(index, worker)

    def consume() -> Iterator[tuple[int, T]]:
        nonlocal consuming
        for index, buffer in enumerate(buffers):
            with budget:
                consuming = index
                budget.notify_all()
            while (item := buffer.get()) is not _DONE:
                if isinstance(item, BaseException):
                    raise item
                release(weigh(item) if weigh else 0)  # type: ignore[arg-type]
                yield index, item  # type: ignore[misc]
            ahead.release()

    threads = [threading.Thread(target=work, args=(n,), name=f"jobspikr-fetch-{n}", daemon=True)
               for n in range(min(workers, len(sources)))]
    for thread in threads:
        thread.start()
    try:
        yield consume()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

