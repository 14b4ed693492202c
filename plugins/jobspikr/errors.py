"""Typed errors of the JobsPikr client: each says what failed and what to do about it."""

from __future__ import annotations


class JobsPikrError(Exception):
    """Base class for everything the JobsPikr hook raises."""


class JobsPikrConfigError(JobsPikrError):
    """A connection setting or filter is invalid; the message names the setting."""


class JobsPikrAuthError(JobsPikrError):
    """JobsPikr rejected the credentials (401/403). Not retried: a retry cannot fix it."""


class JobsPikrCreditsError(JobsPikrError):
    """The next page would take the account's credits under the configured floor, or the
    account has none left (HTTP 402). Not retried: credits reset monthly."""


class JobsPikrRequestError(JobsPikrError):
    """A request failed in a way that may succeed if repeated (429, 5xx, timeouts, resets).

    ``retry_after`` carries the server's ``Retry-After`` in seconds when it sent one.
    """

    def __init__(self, message: str, *, status_code: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.retry_after = retry_after


class JobsPikrResponseError(JobsPikrError):
    """The API answered, but not with a usable search response (not JSON, wrong shape,
    a record without ``uniq_id``, an ``error`` status). ``retryable`` is true only for
    bodies that look damaged in transit (not JSON), where asking again can help."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class JobsPikrUnavailableError(JobsPikrError):
    """JobsPikr kept failing through the whole retry budget, on every host tried."""


class JobsPikrEndpointNotFound(JobsPikrError):  # noqa: N818 (the name the issue and callers use)
    """The host answered HTTP 404 for an endpoint whose path is not public (the expired
    jobs API): the account may not have it, or it lives at another path. Not retried: only
    a setting (the extra the message names) or the account can change it."""


class JobsPikrIncompleteError(JobsPikrError):
    """A load received fewer records for a window than JobsPikr counts for it, even after
    fetching that window again from its start. What was received is kept; the next run
    fetches the window again."""


#: Failures no retry of the task can fix: a person must change a setting, a credential or
#: the account, or the server answers the same wrong thing every time. The DAG fails the
#: task at once on these instead of retrying it minutes later.
PERMANENT_ERRORS: tuple[type[JobsPikrError], ...] = (
    JobsPikrConfigError, JobsPikrAuthError, JobsPikrCreditsError, JobsPikrResponseError,
    JobsPikrEndpointNotFound)
