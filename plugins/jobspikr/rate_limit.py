"""A client-side request-rate limiter shared by every hook of a process.

JobsPikr documents no request limit, so the client sets its own pace: requests start at
least ``60 / requests_per_minute`` seconds apart, across all threads that fetch for the
same connection (parallel page fetches share one budget).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(self, requests_per_minute: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if requests_per_minute <= 0:
            raise ValueError("requests_per_minute must be positive")
        self.interval = 60.0 / requests_per_minute
        self._clock = clock
        self._sleep = sleep
        self._next_slot = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Block until this caller may send a request; return the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self.interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait


_shared: dict[tuple[str, float], RateLimiter] = {}
_shared_lock = threading.Lock()


def shared_limiter(key: str, requests_per_minute: float) -> RateLimiter:
    """The process-wide limiter for ``key`` (a connection id) at this rate."""
    with _shared_lock:
        limiter = _shared.get((key, requests_per_minute))
        if limiter is None:
            limiter = _shared[(key, requests_per_minute)] = RateLimiter(requests_per_minute)
        return limiter
