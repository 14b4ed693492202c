"""What the hook retries, and how long it waits."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import requests
import tenacity

from jobspikr.errors import (
    JobsPikrAuthError,
    JobsPikrConfigError,
    JobsPikrCreditsError,
    JobsPikrRequestError,
    JobsPikrResponseError,
)
from jobspikr.hook import backoff_wait, is_retryable
from jobspikr.rate_limit import RateLimiter
from jobspikr.settings import JobsPikrSettings


@pytest.mark.parametrize(("exc", "retry"), [
    (requests.ConnectionError("reset"), True),
    (requests.Timeout("slow"), True),
    (requests.exceptions.ChunkedEncodingError("cut"), True),
    (JobsPikrRequestError("503", status_code=503), True),
    (JobsPikrRequestError("429", status_code=429, retry_after=3), True),
    (JobsPikrResponseError("truncated", retryable=True), True),
    (JobsPikrResponseError("wrong shape"), False),
    (JobsPikrAuthError("401"), False),
    (JobsPikrCreditsError("402"), False),
    (JobsPikrConfigError("bad"), False),
    (ValueError("bug"), False),
])
def test_retry_predicate(exc: BaseException, retry: bool) -> None:
    assert is_retryable(exc) is retry


def state(exc: BaseException, attempt: int) -> tenacity.RetryCallState:
    outcome = SimpleNamespace(exception=lambda: exc)
    return SimpleNamespace(outcome=outcome, attempt_number=attempt)  # type: ignore[return-value]


def test_retry_after_wins_and_is_capped() -> None:
    wait = backoff_wait(JobsPikrSettings(retry_after_max=30))
    assert wait(state(JobsPikrRequestError("429", retry_after=7), 1)) == 7
    assert wait(state(JobsPikrRequestError("429", retry_after=3600), 1)) == 30


def test_backoff_is_full_jitter_exponential_and_capped() -> None:
    wait = backoff_wait(JobsPikrSettings(backoff_initial=1, backoff_max=8))
    for attempt, ceiling in [(1, 1), (2, 2), (3, 4), (6, 8)]:  # initial * 2^(attempt-1), capped
        samples = [wait(state(JobsPikrRequestError("503"), attempt)) for _ in range(300)]
        assert all(0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling * 0.8 and min(samples) < ceiling * 0.2  # jitter spans the range


def test_limiter_spaces_requests_across_callers() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(120, clock=lambda: now[0], sleep=sleep)  # one request per 0.5 s
    waits = [limiter.acquire() for _ in range(4)]
    assert waits == [0, 0.5, 0.5, 0.5]
    now[0] += 10  # idle time is not banked into a burst
    assert limiter.acquire() == 0
    assert limiter.acquire() == 0.5
