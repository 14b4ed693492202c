"""What the hook retries, how long it waits, and when it gives up: on a fake clock, so a
storm of minutes takes no time."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
import requests
import tenacity

from jobspikr.errors import (
    JobsPikrAuthError,
    JobsPikrConfigError,
    JobsPikrCreditsError,
    JobsPikrRequestError,
    JobsPikrResponseError,
    JobsPikrUnavailableError,
)
from jobspikr.hook import JobsPikrHook
from jobspikr.query import JobsPikrQuery
from jobspikr.rate_limit import RateLimiter
from jobspikr.retry import RetryBudget, is_retryable
from jobspikr.settings import JobsPikrSettings

PRIMARY = "http://127.0.0.1:9/v2"
BACKUP = "http://127.0.0.1:10/v2"
PAGE = orjson.dumps({"status": "success", "total_count": 7, "job_credit_remaining": 500, "size": 1,
                     "job_data": [{"uniq_id": "a", "cursor": 5}], "next_cursor": 6})


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


class FakeClock:
    """Monotonic seconds that move only when something sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def state(exc: BaseException, attempt: int) -> tenacity.RetryCallState:
    outcome = SimpleNamespace(exception=lambda: exc)
    return SimpleNamespace(outcome=outcome, attempt_number=attempt)  # type: ignore[return-value]


def test_retry_after_wins_and_is_capped() -> None:
    budget = RetryBudget(JobsPikrSettings(retry_after_max=30), clock=FakeClock())
    assert budget.wait(state(JobsPikrRequestError("429", retry_after=7), 1)) == 7
    assert budget.wait(state(JobsPikrRequestError("429", retry_after=3600), 1)) == 30


def test_backoff_is_full_jitter_exponential_and_capped() -> None:
    budget = RetryBudget(JobsPikrSettings(backoff_initial=1, backoff_max=8), clock=FakeClock())
    for attempt, ceiling in [(1, 1), (2, 2), (3, 4), (6, 8)]:  # initial * 2^(attempt-1), capped
        samples = [budget.wait(state(JobsPikrRequestError("503"), attempt)) for _ in range(300)]
        assert all(0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling * 0.8 and min(samples) < ceiling * 0.2  # jitter spans the range


def test_backoff_never_ends_past_the_budget() -> None:
    clock = FakeClock()
    budget = RetryBudget(JobsPikrSettings(retry_budget_seconds=100, backoff_initial=50, backoff_max=50), clock=clock)
    clock.now = 97
    assert all(budget.wait(state(JobsPikrRequestError("503"), 5)) <= 3 for _ in range(50))


# -- the rule through the hook, against a scripted server on the fake clock --------------------

#: A scripted server: given the host and the fake time of the request, (status, headers).
Script = Callable[[str, float], tuple[int, dict[str, str]]]


def storm(seconds: float, status: int = 429, retry_after: str | None = None) -> Script:
    """``status`` (with ``Retry-After``) for ``seconds`` from the first request, then pages."""
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return lambda host, now: (status, headers) if now < seconds else (200, {})


def scripted_hook(monkeypatch: pytest.MonkeyPatch, script: Script, **extras: object
                  ) -> tuple[JobsPikrHook, FakeClock, list[tuple[str, float]]]:
    """A hook whose requests are answered by ``script``: the hook, its clock, the requests."""
    monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", json.dumps({
        "conn_type": "jobspikr", "host": PRIMARY, "login": "acme", "password": "key", "extra": extras}))
    clock = FakeClock()
    unlimited = RateLimiter(6_000_000, clock=clock, sleep=clock.sleep)  # never waits between the tries here
    hook = JobsPikrHook(limiter=unlimited, sleep=clock.sleep, clock=clock)
    sent: list[tuple[str, float]] = []

    def send(method: str, host: str, path: str, **_: Any) -> tuple[Any, bytes]:
        sent.append((host, clock.now))
        status, headers = script(host, clock.now)
        return SimpleNamespace(status_code=status, headers=headers), PAGE if status == 200 else b"{}"

    monkeypatch.setattr(hook, "_send", send)
    return hook, clock, sent


def test_a_12s_storm_of_429s_with_retry_after_is_waited_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's storm: six 429s with Retry-After: 2 used up six attempts and failed the task."""
    hook, clock, sent = scripted_hook(monkeypatch, storm(12, retry_after="2"))
    assert hook.count(JobsPikrQuery()) == 7
    assert clock.slept == [2.0] * 6 and len(sent) == 7 and clock.now == 12


def test_a_12s_storm_of_429s_without_retry_after_costs_about_12s(monkeypatch: pytest.MonkeyPatch) -> None:
    hook, clock, _ = scripted_hook(monkeypatch, storm(12))
    assert hook.count(JobsPikrQuery()) == 7
    assert 12 <= clock.now < 12 + hook.settings.backoff_max
    assert all(s <= hook.settings.backoff_max for s in clock.slept)


def test_a_40s_burst_of_503s_is_waited_out(monkeypatch: pytest.MonkeyPatch) -> None:
    hook, clock, _ = scripted_hook(monkeypatch, storm(40, status=503))
    assert hook.count(JobsPikrQuery()) == 7
    assert 40 <= clock.now < 40 + hook.settings.backoff_max


def test_an_outage_longer_than_the_budget_fails_clearly_at_its_end(monkeypatch: pytest.MonkeyPatch) -> None:
    hook, clock, sent = scripted_hook(monkeypatch, storm(3600, status=503), retry_budget_seconds=60)
    with pytest.raises(JobsPikrUnavailableError) as failed:
        hook.count(JobsPikrQuery())
    assert clock.now == sent[-1][1] == pytest.approx(60)  # the last try is at the budget's end, not past it
    message = str(failed.value)
    assert f"in {len(sent)} tries over 60.0s, the request's whole retry budget of 60s" in message
    assert "extra 'retry_budget_seconds'" in message and "HTTP 503" in message
    assert f"hosts tried: {PRIMARY}" in message and "the next run resumes there" in message


def test_a_retry_after_past_the_budget_ends_the_retries_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    hook, clock, sent = scripted_hook(monkeypatch, storm(3600, retry_after="20"), retry_budget_seconds=30)
    with pytest.raises(JobsPikrUnavailableError,
                       match=r"in 2 tries over 20\.0s: it asks to wait 20s more \(Retry-After\), past the 10\.0s "
                             r"left of the request's retry budget of 30s"):
        hook.count(JobsPikrQuery())
    assert [at for _, at in sent] == [0, 20] and clock.now == 20  # no wait that could not help


def test_a_storm_on_the_primary_fails_over_to_the_backup_within_the_budget(
        monkeypatch: pytest.MonkeyPatch) -> None:
    hook, _, sent = scripted_hook(monkeypatch, lambda host, now: (503, {}) if host == PRIMARY else (200, {}),
                                  backup_host=BACKUP, failover_after=3)
    assert hook.count(JobsPikrQuery()) == 7
    assert [host for host, _ in sent] == [PRIMARY] * 3 + [BACKUP]


def test_no_credits_is_not_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    hook, clock, sent = scripted_hook(monkeypatch, lambda host, now: (402, {}))
    with pytest.raises(JobsPikrCreditsError):
        hook.count(JobsPikrQuery())
    assert len(sent) == 1 and clock.now == 0


def test_each_wait_is_logged_with_its_reason_and_end(monkeypatch: pytest.MonkeyPatch,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    hook, _, _ = scripted_hook(monkeypatch, storm(4, retry_after="2"))
    with caplog.at_level(logging.INFO, logger="jobspikr.progress"):
        hook.count(JobsPikrQuery())
    waits = [r for r in caplog.records if r.name == "jobspikr.progress"]
    assert len(waits) == 2
    assert [r.waiting["failed_tries"] for r in waits] == [1, 2]  # type: ignore[attr-defined]
    first = waits[0].getMessage()
    assert first.startswith("JobsPikr WAITING until ") and " UTC (2.0s): " in first
    assert "throttled (HTTP 429), try 1 failed; 298s of the retry budget left. " in first
    assert first.endswith(f"JobsPikr {PRIMARY} answered HTTP 429 for cursor None")


def test_limiter_spaces_requests_across_callers() -> None:
    clock = FakeClock()
    limiter = RateLimiter(120, clock=clock, sleep=clock.sleep)  # one request per 0.5 s
    waits = [limiter.acquire() for _ in range(4)]
    assert waits == [0, 0.5, 0.5, 0.5]
    clock.now += 10  # idle time is not banked into a burst
    assert limiter.acquire() == 0
    assert limiter.acquire() == 0.5
