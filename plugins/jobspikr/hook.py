"""The JobsPikr hook: the one place that talks HTTP to JobsPikr.

Shape follows Airflow's provider hooks (dbt Cloud's in particular): connection
attributes, a UI field behaviour, one ``requests.Session`` and retries through tenacity
with a predicate that knows which failures are worth repeating.

Retry budget: the hook is the only retry layer. One request keeps retrying for at most
``retry_budget_seconds`` (``jobspikr.retry``), across the primary and the backup host, and
says in the log and the progress line that it is waiting, why and until when. The DAG's
extract task has ``retries=1``: a rerun resumes from the stored watermark, so it repeats no
page that was already loaded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from typing import Any, TypeVar

import orjson
import requests
import tenacity
from airflow.sdk.bases.hook import BaseHook

from jobspikr.decoding import decode_body
from jobspikr.errors import (
    JobsPikrAuthError,
    JobsPikrConfigError,
    JobsPikrCreditsError,
    JobsPikrEndpointNotFound,
    JobsPikrRequestError,
    JobsPikrResponseError,
    JobsPikrUnavailableError,
)
from jobspikr.expirations import Cursor, Expiration, ExpirationPage, follow_cursor, parse_expirations
from jobspikr.failover import HostFailover
from jobspikr.paging import CursorStream
from jobspikr.provider import CONN_TYPE, HOOK_NAME
from jobspikr.query import JobsPikrQuery
from jobspikr.rate_limit import RateLimiter, shared_limiter
from jobspikr.responses import Page, parse_page
from jobspikr.retry import RETRYABLE_STATUS, RetryBudget, is_retryable
from jobspikr.settings import JobsPikrSettings, default_backup_for, normalise_base_url

log = logging.getLogger(__name__)
#: The load's progress channel (``jobspikr_pipeline.progress``): waits are part of it.
progress_log = logging.getLogger("jobspikr.progress")

_RESUME_FROM_WATERMARK = "Nothing past the last stored watermark was loaded; the next run resumes there."
T = TypeVar("T")


class JobsPikrHook(BaseHook):
    """Search JobsPikr's job data (``POST /v2/data``) page by page, and ask which jobs
    expired (the expired jobs API, :meth:`expired_jobs`).

    :param jobspikr_conn_id: Airflow connection: host = base URL, login = client_id,
        password = client_auth_key, extras = :class:`JobsPikrSettings`.
    """

    conn_name_attr = "jobspikr_conn_id"
    default_conn_name = "jobspikr_default"
    conn_type = CONN_TYPE
    hook_name = HOOK_NAME

    def __init__(self, jobspikr_conn_id: str = default_conn_name, *,
                 limiter: RateLimiter | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.jobspikr_conn_id = jobspikr_conn_id
        conn = self.get_connection(jobspikr_conn_id)
        if not conn.host:
            raise JobsPikrConfigError(f"Airflow connection {jobspikr_conn_id!r} has no host (base URL)")
        self.primary = normalise_base_url(conn.host)
        self.settings = JobsPikrSettings.from_extras(conn.extra_dejson)
        self.backup = self.settings.backup_host or default_backup_for(self.primary)
        self._credentials = self._read_credentials(conn)
        self.limiter = limiter or shared_limiter(jobspikr_conn_id, self.settings.requests_per_minute)
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json", "User-Agent": "jobspikr-airflow/1"})
        self.hosts = HostFailover(self.primary, self.backup, failover_after=self.settings.failover_after)
        self.last_credits_remaining: int | None = None
        # injectable, so tests can run the retry rule on a fake clock without waiting
        self._sleep = sleep
        self._clock = clock

    def _read_credentials(self, conn: Any) -> tuple[str, str]:
        if not conn.login or not conn.password:
            raise JobsPikrConfigError(
                f"Airflow connection {self.jobspikr_conn_id!r} needs login (client_id) "
                "and password (client_auth_key)")
        return conn.login, conn.password

    def sibling(self) -> JobsPikrHook:
        """Another hook on the same connection and the same rate budget, for a parallel
        stream: a hook's HTTP session and failover state belong to one thread."""
        return type(self)(self.jobspikr_conn_id, limiter=self.limiter, sleep=self._sleep, clock=self._clock)

    # -- paging -----------------------------------------------------------------------------

    def stream(self, query: JobsPikrQuery, start_cursor: int | None = None, *,
               already_received: int = 0) -> CursorStream:
        """The query's pages from ``start_cursor`` to the end (``jobspikr.paging`` decides
        where that is), one in memory at a time."""
        return CursorStream(lambda cursor: self.fetch_page(query, cursor), start_cursor=start_cursor,
                            already_received=already_received)

    def count(self, query: JobsPikrQuery) -> int | None:
        """The records matching ``query`` (its ``total_count``; None when the server sends
        none), from the smallest request there is: a page of one record, one credit at most.
        There is no count endpoint; every search answer carries the count."""
        return self.fetch_page(query, None, size=1).total_count

    def fetch_page(self, query: JobsPikrQuery, cursor: int | None, *, size: int | None = None) -> Page:
        """One search request, with the credit floor checked first and retries inside."""
        size = min(size or self.settings.page_size, self._size_within_credit_floor())
        body: dict[str, Any] = {
            "size": size,
            "format": "json",
            "dataset": list(query.dataset),
            "search_query_json": query.search_query_json(),
        }
        if cursor is not None:
            body["cursor"] = cursor
        page = self._with_retries(lambda: self._post(body, cursor))
        self.last_credits_remaining = page.credits_remaining
        return page

    def _size_within_credit_floor(self) -> int:
        size = self.settings.page_size
        remaining = self.last_credits_remaining
        if remaining is None:
            return size
        spendable = remaining - self.settings.credit_floor
        if spendable <= 0:
            raise JobsPikrCreditsError(
                f"JobsPikr credits remaining ({remaining}) reached the floor "
                f"({self.settings.credit_floor}) set by extra 'credit_floor' on connection "
                f"{self.jobspikr_conn_id!r}; stopping before spending more. Lower the floor or wait "
                "for the monthly reset; the next run resumes where this one stopped.")
        return min(size, spendable)

    # -- expired jobs -----------------------------------------------------------------------

    def expired_jobs(self, date_from: date, date_to: date) -> list[Expiration]:
        """Consumed jobs JobsPikr reports as expired from ``date_from`` to ``date_to`` (both
        included), every page of them, in the order sent.

        ``GET {host}/{expired_jobs_path}?{expired_jobs_from_param}=YYYY-MM-DD&{expired_jobs_to_param}=YYYY-MM-DD``,
        then ``&cursor=<next_cursor>`` while an answer holds items and names a next cursor.
        The path and the parameter names are ASSUMPTIONS (JobsPikr does not publish them;
        they are connection extras). Same auth, rate limit, retries and failover as search;
        no credit check, as the API returns jobs already paid for. An HTTP 404 raises
        :class:`JobsPikrEndpointNotFound`, which names the extra to set.
        """
        if date_to < date_from:
            raise JobsPikrConfigError(f"expired jobs range ends ({date_to}) before it starts ({date_from})")
        settings = self.settings
        params = {settings.expired_jobs_from_param: date_from.isoformat(),
                  settings.expired_jobs_to_param: date_to.isoformat()}
        what = f"expired jobs {date_from}..{date_to}"
        outage = "No expiration of this range was stored."

        def page_at(cursor: Cursor | None) -> ExpirationPage:
            query = params if cursor is None else {**params, "cursor": cursor}
            return self._with_retries(lambda: self._get_expirations(query, f"{what}, cursor {cursor}"),
                                      on_outage=outage)

        expirations: list[Expiration] = []
        skipped = pages = 0
        for page in follow_cursor(page_at, where=f"JobsPikr {what}"):
            expirations.extend(page.expirations)
            skipped += page.skipped
            pages += 1
        if skipped:
            log.warning("JobsPikr %s: skipped %d item(s) without a uniq_id", what, skipped)
        log.info("JobsPikr %s: %d expiration(s) in %d page(s)", what, len(expirations), pages)
        return expirations

    # -- one request --------------------------------------------------------------------------

    def _with_retries(self, call: Callable[[], T], *, on_outage: str = _RESUME_FROM_WATERMARK) -> T:
        """``call`` under the one retry rule (``jobspikr.retry``); when its budget is spent,
        ``on_outage`` says what the failed request means for the caller."""
        budget = RetryBudget(self.settings, clock=self._clock)
        retrying = budget.retrying(before_sleep=lambda state: self._before_retry(budget, state),
                                   sleep=self._sleep)
        hosts_before = {self.hosts.active}
        try:
            return retrying(call)
        except Exception as exc:
            if not is_retryable(exc):
                raise
            tries = retrying.statistics["attempt_number"]
            if isinstance(exc, JobsPikrResponseError):
                # The server answers, badly, every time: no later retry will fix that.
                raise JobsPikrResponseError(
                    f"{exc} (the same in all {tries} tries over {budget.spent():.1f}s)") from exc
            hosts = ", ".join(sorted(hosts_before | {self.hosts.active}))
            raise JobsPikrUnavailableError(
                f"JobsPikr did not answer usefully {budget.gave_up(exc, tries)} (hosts tried: {hosts}); "
                f"last error: {exc}. {on_outage}") from exc

    def _before_retry(self, budget: RetryBudget, retry_state: tenacity.RetryCallState) -> None:
        """Say that the request waits, why and until when; count the failure against the
        host (which may fail over)."""
        wait = budget.waiting(retry_state, self.hosts.active)
        progress_log.warning("%s", wait.describe(), extra={"waiting": asdict(wait)})
        self.hosts.failed()

    def _post(self, body: dict[str, Any], cursor: int | None) -> Page:
        what = f"cursor {cursor}"
        host, status, content = self._request("POST", "data", what, body=body)
        if status != 200:
            raise JobsPikrResponseError(f"JobsPikr {host} answered HTTP {status} for {what}: {_message(content)}")
        page = parse_page(_decode(content, host, what), host=host, requested_cursor=cursor,
                          byte_size=len(content))
        self.hosts.succeeded(host)
        return page

    def _get_expirations(self, params: dict[str, Any], what: str) -> ExpirationPage:
        path = self.settings.expired_jobs_path
        host, status, content = self._request("GET", path, what, params=params)
        if status == 404:
            raise JobsPikrEndpointNotFound(
                f"JobsPikr {host} has no expired jobs API at /{path} (HTTP 404: {_message(content)}). "
                "JobsPikr does not publish its path; set extra 'expired_jobs_path' on Airflow connection "
                f"{self.jobspikr_conn_id!r} to the one JobsPikr gave the account (and 'expired_jobs_from_param' / "
                "'expired_jobs_to_param' if its parameters differ). Not retried.")
        if status != 200:
            raise JobsPikrResponseError(f"JobsPikr {host} answered HTTP {status} for {what}: {_message(content)}")
        page = parse_expirations(_decode(content, host, what), where=f"JobsPikr response from {host} for {what}")
        self.hosts.succeeded(host)
        return page

    def _request(self, method: str, path: str, what: str, *, body: dict[str, Any] | None = None,
                 params: dict[str, Any] | None = None) -> tuple[str, int, bytes]:
        """One request to the active host, within the rate limit: ``(host, HTTP status, body)``.

        Raises what every endpoint shares: rejected credentials (re-read once, in case they
        were rotated), no credits, and the statuses worth retrying (with ``Retry-After``).
        What else a status means is the endpoint's to say. ``what`` names the request in
        errors (``cursor 123``).
        """
        self.limiter.acquire()
        host = self.hosts.active
        response, content = self._send(method, host, path, body=body, params=params)
        if response.status_code in (401, 403) and self._reload_rotated_credentials():
            response, content = self._send(method, host, path, body=body, params=params)
        if response.status_code in (401, 403):
            raise JobsPikrAuthError(
                f"JobsPikr rejected the credentials of Airflow connection {self.jobspikr_conn_id!r} "
                f"(HTTP {response.status_code} from {host}): check its login (client_id) and "
                "password (client_auth_key). Not retried.")
        if response.status_code == 402:
            raise JobsPikrCreditsError(
                f"JobsPikr {host} reports no job credits left for connection {self.jobspikr_conn_id!r} "
                f"(HTTP 402: {_message(content)}); credits reset monthly. The next run resumes "
                "where this one stopped.")
        if response.status_code in RETRYABLE_STATUS:
            raise JobsPikrRequestError(
                f"JobsPikr {host} answered HTTP {response.status_code} for {what}",
                status_code=response.status_code,
                retry_after=_retry_after(response.headers.get("Retry-After")))
        return host, response.status_code, content

    def _send(self, method: str, host: str, path: str, *, body: dict[str, Any] | None,
              params: dict[str, Any] | None) -> tuple[requests.Response, bytes]:
        """Send and read the whole body in 1 MB reads (requests' default 10 KB reads cost a
        large share of the client's time on big pages); transport errors stay requests'."""
        client_id, key = self._credentials
        response = self.session.request(
            method, f"{host}/{path}", json=body, params=params,
            headers={"client_id": client_id, "client_auth_key": key},
            timeout=(self.settings.connect_timeout, self.settings.read_timeout),
            stream=True,
            verify=True,  # certificates are always checked (plain HTTP is refused off-machine)
        )
        with response:
            return response, b"".join(response.iter_content(chunk_size=1 << 20))

    def _reload_rotated_credentials(self) -> bool:
        """Re-read the connection once: a rotated secret should not fail the run."""
        fresh = self._read_credentials(self.get_connection(self.jobspikr_conn_id))
        if fresh == self._credentials:
            return False
        log.info("JobsPikr credentials of connection %r changed since the hook was built; "
                 "retrying once with the new ones", self.jobspikr_conn_id)
        self._credentials = fresh
        return True

    def test_connection(self) -> tuple[bool, str]:
        """Airflow UI "Test" button: one one-record search, tried once. It says what the
        server answers now; the retry budget would keep the form waiting for minutes."""
        try:
            page = self._post({"size": 1, "format": "json"}, None)
        except Exception as exc:  # noqa: BLE001 (the UI shows any failure as text)
            return False, str(exc)
        return True, f"Connected; {page.credits_remaining} job credits remaining"


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: rare for APIs; fall back to our own backoff


def _decode(content: bytes, host: str, what: str) -> Any:
    """The JSON body (``decode_body``); a body that is not JSON looks damaged in transit, so
    it is retryable."""
    try:
        return decode_body(content)
    except ValueError as exc:
        raise JobsPikrResponseError(
            f"JobsPikr response from {host} for {what} is not valid JSON "
            f"({len(content)} bytes): {exc}", retryable=True) from exc


def _message(content: bytes) -> str:
    try:
        return str(orjson.loads(content).get("message", content[:200].decode(errors="replace")))
    except (orjson.JSONDecodeError, AttributeError):
        return content[:200].decode(errors="replace")

