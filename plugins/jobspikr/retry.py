"""The hook's retry rule, in one place: which failures are worth repeating, how long to wait
before the next try, and when to give up.

Throttling and short outages are waits, not errors. A retryable failure is tried again
until the request's time budget (extra ``retry_budget_seconds``) is spent, not a number
of times: a storm of 429s or a burst of 503s costs about its own length, however often
the server is asked during it. Between tries: capped exponential backoff with full jitter,
or the server's ``Retry-After`` (up to ``retry_after_max``). No wait ends past the
budget: backoff is cut to what is left of it, and a ``Retry-After`` longer than what is
left ends the retries at once, since the server has said it will not answer sooner.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests
import tenacity

from jobspikr.errors import JobsPikrRequestError, JobsPikrResponseError
from jobspikr.settings import JobsPikrSettings

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


def is_retryable(exc: BaseException) -> bool:
    """Connection errors, timeouts, 429 and 5xx, and damaged bodies: yes. Anything else: no."""
    if isinstance(exc, JobsPikrRequestError):
        return True
    if isinstance(exc, JobsPikrResponseError):
        return exc.retryable
    return isinstance(exc, (requests.ConnectionError, requests.Timeout,
                            requests.exceptions.ChunkedEncodingError))


def why(exc: BaseException | None) -> str:
    """What a retryable failure means for the wait, in a few words for the progress line."""
    status = getattr(exc, "status_code", None)
    if status == 429:
        return "throttled (HTTP 429)"
    if status == 503:
        return "unavailable (HTTP 503)"
    if status is not None:
        return f"server error (HTTP {status})"
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        return "connection error"
    return "damaged answer"


@dataclass(frozen=True)
class Wait:
    """One wait between two tries of a request: what the log and the progress line say."""

    host: str
    why: str
    seconds: float
    until: datetime
    failed_tries: int
    budget_left: float
    error: str

    def describe(self) -> str:
        return (f"JobsPikr WAITING until {self.until:%H:%M:%S} UTC ({self.seconds:.1f}s): {self.host} "
                f"{self.why}, try {self.failed_tries} failed; {self.budget_left:.0f}s of the retry budget "
                f"left. {self.error}")


def _failure(retry_state: tenacity.RetryCallState) -> BaseException | None:
    return retry_state.outcome.exception() if retry_state.outcome else None


class RetryBudget:
    """One request's retries, from its first try: their waits, and when they stop.

    ``clock`` (monotonic seconds) and the ``sleep`` given to :meth:`retrying` are injectable,
    so the rule can be exercised on a fake clock.
    """

    def __init__(self, settings: JobsPikrSettings, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self._clock = clock
        self._started = clock()
        self._backoff = tenacity.wait_random_exponential(multiplier=settings.backoff_initial,
                                                         max=settings.backoff_max)

    def spent(self) -> float:
        return self._clock() - self._started

    def left(self) -> float:
        return max(0.0, self.settings.retry_budget_seconds - self.spent())

    def server_asks(self, retry_state: tenacity.RetryCallState) -> float | None:
        """The server's ``Retry-After``, as far as it is waited (up to ``retry_after_max``)."""
        retry_after = getattr(_failure(retry_state), "retry_after", None)
        return None if retry_after is None else min(float(retry_after), self.settings.retry_after_max)

    def wait(self, retry_state: tenacity.RetryCallState) -> float:
        """The server's ``Retry-After`` if it sent one, else backoff; never past the budget."""
        asked = self.server_asks(retry_state)
        return min(self._backoff(retry_state) if asked is None else asked, self.left())

    def stop(self, retry_state: tenacity.RetryCallState) -> bool:
        """The budget is spent, or the server asks for a wait that would end past it."""
        asked = self.server_asks(retry_state)
        left = self.left()
        return left <= 0 or (asked is not None and asked > left)

    def retrying(self, *, before_sleep: Callable[[tenacity.RetryCallState], None],
                 sleep: Callable[[float], None]) -> tenacity.Retrying:
        return tenacity.Retrying(retry=tenacity.retry_if_exception(is_retryable), wait=self.wait,
                                 stop=self.stop, before_sleep=before_sleep, sleep=sleep, reraise=True)

    def waiting(self, retry_state: tenacity.RetryCallState, host: str) -> Wait:
        """The wait tenacity is about to sleep, told for people (``before_sleep``)."""
        seconds = retry_state.upcoming_sleep
        failure = _failure(retry_state)
        return Wait(host=host, why=why(failure), seconds=seconds, until=datetime.now(UTC) + timedelta(seconds=seconds),
                    failed_tries=retry_state.attempt_number, budget_left=max(0.0, self.left() - seconds),
                    error=str(failure))

    def gave_up(self, last_error: BaseException, tries: int) -> str:
        """Why the retries ended, for the error: the budget is spent, or the server asked
        for more than what was left of it."""
        budget = f"retry budget of {self.settings.retry_budget_seconds:g}s (extra 'retry_budget_seconds')"
        retry_after = getattr(last_error, "retry_after", None)
        left = self.left()
        if retry_after is not None and left > 0:
            return (f"in {tries} tries over {self.spent():.1f}s: it asks to wait {retry_after:g}s more "
                    f"(Retry-After), past the {left:.1f}s left of the request's {budget}")
        return f"in {tries} tries over {self.spent():.1f}s, the request's whole {budget}"
