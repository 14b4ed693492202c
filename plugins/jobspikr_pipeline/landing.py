"""The landing thread: a load's batches are written on a thread of their own, one at a time
and in order, while the next is fetched and prepared."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)


class Landing:
    """Batches land on a thread of their own, one at a time and in order, while the consumer
    fetches and prepares the next one: Postgres writes (and compresses) one batch while Python
    parses, hashes and serialises the next (``./pipeline bench load``; what it gained is in
    bench/results/findings.md).

    ``submit`` first waits for the batch before it and raises its error, so at most one
    batch is being written and one prepared, and a failed batch stops the load before the
    next one lands (each batch is its own transaction with its watermark, so what landed is
    exactly what the watermarks say). Leaving the block waits for the last batch; only then
    may the caller's thread use the connection again.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jobspikr-land")
        self._pending: Future[None] | None = None

    def submit(self, land: Callable[..., None], *args: Any) -> None:
        self.wait()
        self._pending = self._pool.submit(land, *args)

    def wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def __enter__(self) -> Landing:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        try:
            if exc_type is None:
                self.wait()
            elif self._pending is not None:
                # The error being raised wins, but only once the batch in flight has finished
                # (the caller closes the load on the same connection), and the batch's own
                # failure is not lost.
                error = self._pending.exception()
                if error is not None:
                    log.error("JobsPikr batch failed while the load was failing: %r", error)
        finally:
            self._pool.shutdown(wait=True)
