"""A local HTTP server that speaks JobsPikr's ``POST /v2/data`` and its expired jobs API.

It is a real server on a real socket, so the hook's session pooling, timeouts and
retries are exercised exactly as against the real API. Behaviour follows
``shared/docs/jobspikr-api.md``; where the public record is silent the choices are:

- bad credentials: HTTP 401 with ``{"status": "error", "message": ...}``;
- credits exhausted: HTTP 402 with ``status: error`` (never a silent short page);
- end of results: ``status: success``, an empty ``job_data`` and no ``next_cursor``;
- ``size`` above ``max_page_size`` is capped, as real clients never rely on more than 100.

Where the notes allow more than one behaviour, :class:`StandinConfig` chooses, so tests
can try each: a smaller page cap, a ``next_cursor`` on the last page or not, a
``total_count`` or none. Faults (``standin_api.faults``) add the rest.

The expired jobs API's path and parameters are not public; the stand-in serves the
client's assumed defaults: ``GET /v2/expired_jobs?start_date=YYYY-MM-DD&end_date=YYYY-MM-DD``
(both days included), then ``&cursor=<next_cursor>``, with the search envelope and items
``{"uniq_id", "expired_on", "has_expired": true}``. The cursor is an offset into the
range's expirations, in catalogue order (the catalogue's own, ``Catalogue.expired_on``,
then those a test adds with :meth:`StandinServer.expire`). It spends no credits (the jobs
were paid for when searched), and has its own request count and fault plan
(``expiry_requests_served``, ``expiry_faults``), so search's request numbers and faults are
exactly what they were before the endpoint existed. ``expired_jobs_endpoint=False`` answers
404, as for an account without the API.
"""

from __future__ import annotations

import base64
import itertools
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from standin_api.faults import Fault, FaultPlan
from standin_api.generator import Catalogue, expirations
from standin_api.search import QueryError, matches

#: The longest a held search request waits (``StandinServer.holding``): under the hook's
#: 60 s read timeout, so holding never makes a request fail.
HOLD_MAX_SECONDS = 40.0


@dataclass
class Account:
    """A client's credentials and credit balance, shared by the primary and backup hosts."""

    client_id: str = "demo_jp_sandbox_0123456789"
    client_auth_key: str = "c3RhbmQtaW4ta2V5LW5vdC1hLXJlYWwtc2VjcmV0LTAx"
    credits: int = 1_000_000
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def connection_json(self, url: str, **extra: object) -> str:
        """Airflow's connection (``AIRFLOW_CONN_JOBSPIKR_DEFAULT``) for this account at ``url``,
        with the hook's ``extra`` settings: how the run, the tests and the benchmarks point
        the hook at a stand-in."""
        return json.dumps({"conn_type": "jobspikr", "host": url, "login": self.client_id,
                           "password": self.client_auth_key, "extra": extra})

    def spend(self, wanted: int) -> int:
        """Take up to ``wanted`` credits; return how many were granted."""
        with self.lock:
            granted = min(wanted, self.credits)
            self.credits -= granted
            return granted


@dataclass(frozen=True)
class StandinConfig:
    catalogue: Catalogue = field(default_factory=Catalogue)
    max_page_size: int = 100
    #: Added to every response, to model the real API's per-page latency.
    latency_ms: int = 0
    #: The recorded API sent a ``next_cursor`` with its last page of records (the client
    #: then asks once more and gets an empty page). False: the last page has none.
    next_cursor_on_last_page: bool = True
    #: Every recorded response carries ``total_count``; False models a server that does not.
    send_total_count: bool = True
    #: False: the expired jobs API answers 404, as for an account that does not have it.
    expired_jobs_endpoint: bool = True


class StandinServer:
    """One JobsPikr host. Use as a context manager or call ``start()`` / ``stop()``."""

    def __init__(self, config: StandinConfig | None = None, account: Account | None = None,
                 host: str = "127.0.0.1", port: int = 0, faults: FaultPlan | None = None,
                 preload: bool = False) -> None:
        self.config = config or StandinConfig()
        self.account = account or Account()
        #: Replace at any time to change what the next requests suffer.
        self.faults = faults or FaultPlan()
        self._request_numbers = itertools.count(1)
        self.requests_served = 0
        #: The most requests being answered at the same moment (parallel fetching shows here).
        self.max_in_flight = 0
        self._in_flight = 0
        self._in_flight_lock = threading.Lock()
        #: With ``preload``, every record is generated and JSON-encoded once at start-up, so
        #: unfiltered and date-range pages are served at memory speed (benchmarks: the API
        #: must not be the bottleneck). About 2.5 KB of memory per record.
        self._encoded: list[bytes] = []
        self._post_dates: list[str] = []
        self._range_counts: dict[tuple[str, str], int] = {}
        if preload:
            for i in range(self.config.catalogue.size):
                record = self.config.catalogue.record(i)
                self._encoded.append(json.dumps(record).encode())
                self._post_dates.append(record["post_date"])
        #: The expired jobs API's own faults and request count (search's stay untouched).
        self.expiry_faults = FaultPlan()
        self.expiry_requests_served = 0
        self._expiry_request_numbers = itertools.count(1)
        self._expired_by_test: dict[str, date] = {}
        #: Cleared by ``holding()``: search requests wait (see ``held``) until it is set again.
        self._open = threading.Event()
        self._open.set()
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL as a user would put it in the connection's host: ``http://h:p/v2``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v2"

    def start(self) -> StandinServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="jobspikr-standin",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> StandinServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Hold search answers while in the block: each request is answered when the block
        ends, or after ``HOLD_MAX_SECONDS`` (inside any client's read timeout, so nothing
        fails). A run's extract then moves at one page per ``HOLD_MAX_SECONDS`` at most, so a
        test can order what another run does meanwhile without racing it."""
        self._open.clear()
        try:
            yield
        finally:
            self._open.set()

    def held(self) -> None:
        """Wait while ``holding()``, at most ``HOLD_MAX_SECONDS``."""
        self._open.wait(HOLD_MAX_SECONDS)

    # -- the API ---------------------------------------------------------------------------

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Count one request as in flight while it is answered."""
        with self._in_flight_lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            yield
        finally:
            with self._in_flight_lock:
                self._in_flight -= 1

    def next_request_number(self) -> int:
        self.requests_served = next(self._request_numbers)
        return self.requests_served

    def respond(self, body: dict[str, Any], fault: Fault | None = None) -> tuple[HTTPStatus, bytes]:
        """The encoded answer to one authenticated ``POST /v2/data`` body."""
        bounds = _post_date_bounds(body.get("search_query_json")) if self._encoded and not fault else None
        if bounds is not None and not isinstance(paging := _paging(body), str):
            return self._preloaded_page(*paging, *bounds)
        return _encoded(*self.search(body, fault))

    def _preloaded_page(self, size: int, cursor: int, gte: str, lte: str) -> tuple[HTTPStatus, bytes]:
        catalogue = self.config.catalogue
        dates = self._post_dates
        picked = []
        index = catalogue.index_at_or_after(cursor)
        while index < catalogue.size and len(picked) < min(size, self.config.max_page_size):
            if gte <= dates[index] <= lte:
                picked.append(index)
            index += 1
        granted = self._grant(len(picked))
        if granted is None:
            return _encoded(*_error(HTTPStatus.PAYMENT_REQUIRED, "No job credits remaining."))
        more = len(picked) > granted or (not self.config.next_cursor_on_last_page
                                         and any(gte <= d <= lte for d in dates[index:]))
        picked = picked[:granted]
        next_cursor = self._next_cursor(catalogue.cursor_of(picked[-1]) if picked else None, more)
        head = self._envelope(len(picked), self._count(gte, lte), next_cursor)
        records = b",".join(self._encoded[i] for i in picked)
        return HTTPStatus.OK, json.dumps(head).encode()[:-1] + b', "job_data": [' + records + b"]}"

    def _count(self, gte: str, lte: str) -> int:
        if (gte, lte) not in self._range_counts:
            self._range_counts[gte, lte] = sum(1 for d in self._post_dates if gte <= d <= lte)
        return self._range_counts[gte, lte]

    def _grant(self, wanted: int) -> int | None:
        """How many of ``wanted`` records the account pays for; None when it has no credits left."""
        granted = self.account.spend(wanted)
        return None if wanted and granted == 0 else granted

    def _next_cursor(self, last_cursor: int | None, more: bool) -> int | None:
        """``next_cursor`` after a page whose last record is at ``last_cursor``; ``more``:
        whether matching records follow it (only looked for when the last page has none)."""
        if last_cursor is None or not (more or self.config.next_cursor_on_last_page):
            return None
        return last_cursor + 1

    def _envelope(self, size: int, total: int, next_cursor: int | None) -> dict[str, Any]:
        """The response fields around ``job_data``."""
        envelope: dict[str, Any] = {
            "status": "success",
            "message": "Data present." if size else "No data.",
            "total_count": total,
            "size": size,
            "job_credit_remaining": self.account.credits,
        }
        if not self.config.send_total_count:
            del envelope["total_count"]
        if next_cursor is not None:
            envelope["next_cursor"] = next_cursor
        return envelope

    def search(self, body: dict[str, Any], fault: Fault | None = None) -> tuple[HTTPStatus, dict[str, Any]]:
        """Answer one ``POST /v2/data`` body (already authenticated), damaged by ``fault``."""
        catalogue = self.config.catalogue
        paging = _paging(body)
        if isinstance(paging, str):
            return _error(HTTPStatus.BAD_REQUEST, paging)
        size, cursor = paging
        query = body.get("search_query_json")
        if isinstance(query, str):  # some clients send the query JSON-encoded
            try:
                query = json.loads(query)
            except json.JSONDecodeError:
                return _error(HTTPStatus.BAD_REQUEST, "search_query_json is not valid JSON.")
        query_key = json.dumps(query, sort_keys=True)
        limit = min(size, self.config.max_page_size)
        try:
            total = _total_count(catalogue, query_key)
            if fault and fault.kind == "glitch_empty":
                return HTTPStatus.OK, {**self._envelope(0, total, None), "job_data": []}
            index = catalogue.index_at_or_after(cursor)
            if fault and fault.kind == "resend":
                index = max(0, index - 1)
            if fault and fault.kind == "repeat":
                index = _start_of_previous_page(catalogue, query, index, limit)
            page: list[dict[str, Any]] = []
            records = _records(catalogue)
            while index < catalogue.size and len(page) < limit:
                record = records[index]
                if matches(query, record):
                    page.append(record)
                index += 1
            more = not self.config.next_cursor_on_last_page and any(
                matches(query, records[i]) for i in range(index, catalogue.size))
        except QueryError as exc:
            return _error(HTTPStatus.BAD_REQUEST, f"Invalid search_query_json: {exc}")
        granted = self._grant(len(page))
        if granted is None:
            return _error(HTTPStatus.PAYMENT_REQUIRED, "No job credits remaining.")
        more = more or len(page) > granted
        page = page[:granted]
        next_cursor = self._next_cursor(page[-1]["cursor"] if page else None, more)
        page = _damage_page(page, fault)
        response = {**self._envelope(len(page), total, next_cursor), "job_data": page}
        if fault and fault.kind == "wrong_shape":
            response["job_data"] = {"records": page}
        return HTTPStatus.OK, response

    # -- the expired jobs API -------------------------------------------------------------------

    def expire(self, uniq_id: str, day: date) -> None:
        """From now on, report ``uniq_id`` as expired on ``day`` (any id, in the catalogue or not;
        for a catalogue record, this day replaces the catalogue's own)."""
        self._expired_by_test[uniq_id] = day

    def next_expiry_request_number(self) -> int:
        self.expiry_requests_served = next(self._expiry_request_numbers)
        return self.expiry_requests_served

    def expired_jobs(self, query: dict[str, list[str]],
                     fault: Fault | None = None) -> tuple[HTTPStatus, dict[str, Any]]:
        """Answer one authenticated expired jobs request (its parsed query string)."""
        try:
            first, last = (date.fromisoformat(query[name][0]) for name in ("start_date", "end_date"))
            offset = int(query.get("cursor", ["0"])[0])
        except (KeyError, ValueError):
            return _error(HTTPStatus.BAD_REQUEST, "start_date and end_date (YYYY-MM-DD) are required; "
                                                  "cursor must be an integer.")
        known = dict(expirations(self.config.catalogue))
        known.update(self._expired_by_test)
        in_range = [(uniq_id, day) for uniq_id, day in known.items() if first <= day <= last]
        page = in_range[offset:offset + self.config.max_page_size]
        more = offset + len(page) < len(in_range)
        next_cursor = offset + len(page) if page and (more or self.config.next_cursor_on_last_page) else None
        if fault and fault.kind == "repeat":
            next_cursor = offset  # a cursor that does not advance
        items = _damage_page([{"uniq_id": u, "expired_on": d.isoformat(), "has_expired": True} for u, d in page],
                             fault)
        envelope = {**self._envelope(len(items), len(in_range), next_cursor), "job_data": items}
        del envelope["job_credit_remaining"]
        if fault and fault.kind == "wrong_shape":
            envelope["job_data"] = {"records": items}
        return HTTPStatus.OK, envelope

    def authenticate(self, headers: Any) -> bool:
        client_id = headers.get("client_id")
        key = headers.get("client_auth_key")
        auth = headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                client_id, _, key = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                return False
        return (client_id, key) == (self.account.client_id, self.account.client_auth_key)


def _post_date_bounds(query: Any) -> tuple[str, str] | None:
    """``(gte, lte)`` when ``query`` is only a post-date range (or matches all); else None."""
    if isinstance(query, str):
        try:
            query = json.loads(query)
        except json.JSONDecodeError:
            return None
    if not query or query == {"match_all": {}}:
        return "", "9999-12-31"
    must = query.get("bool", {}).get("must") if isinstance(query, dict) and set(query) == {"bool"} else None
    if not isinstance(must, list) or set(query["bool"]) != {"must"}:
        return None
    bounds = ("", "9999-12-31")
    for clause in must:
        if clause == {"match_all": {}}:
            continue
        post_date = clause.get("range", {}).get("post_date") if isinstance(clause, dict) else None
        if not isinstance(post_date, dict) or set(post_date) - {"gte", "lte"} or len(clause) != 1:
            return None
        bounds = (max(bounds[0], post_date.get("gte", "")), min(bounds[1], post_date.get("lte", "9999-12-31")))
    return bounds


def _start_of_previous_page(catalogue: Catalogue, query: Any, index: int, limit: int) -> int:
    """Where the page before the one starting at ``index`` starts (``repeat``: the server
    answers that page again, so its ``next_cursor`` does not move past the one asked for)."""
    records = _records(catalogue)
    found = 0
    while index > 0 and found < limit:
        index -= 1
        found += matches(query, records[index])
    return index


def _damage_page(page: list[dict[str, Any]], fault: Fault | None) -> list[dict[str, Any]]:
    """Apply a page-level fault to a copy of ``page`` (the catalogue stays intact)."""
    if not fault or not page:
        return page
    if fault.kind == "empty_page":
        return []
    if fault.kind == "duplicates":
        return [*page, page[0]]
    if fault.kind == "no_uniq_id":
        return [{k: v for k, v in page[0].items() if k != "uniq_id"}, *page[1:]]
    if fault.kind == "changed":
        return [{**page[0], "has_expired": True}, *page[1:]]
    if fault.kind == "drift":
        return [{**{k: v for k, v in r.items() if k != "category"}, "inferred_work_mode": "hybrid",
                 "inferred_salary_from": str(r.get("inferred_salary_from"))} for r in page]
    return page


def _paging(body: dict[str, Any]) -> tuple[int, int] | str:
    """``(size, cursor)`` from a request body, or why they are not usable (a 400)."""
    try:
        size = int(body.get("size", 50))
        cursor = int(body.get("cursor") or 0)
    except (TypeError, ValueError):
        return "size and cursor must be integers."
    if size <= 0:
        return "size must be positive."
    return size, cursor


def _encoded(status: HTTPStatus, payload: dict[str, Any]) -> tuple[HTTPStatus, bytes]:
    return status, json.dumps(payload).encode()


def _error(status: HTTPStatus, message: str) -> tuple[HTTPStatus, dict[str, Any]]:
    return status, {"status": "error", "message": message}


@lru_cache(maxsize=256)
def _total_count(catalogue: Catalogue, query_key: str) -> int:
    query = json.loads(query_key)
    if not query:
        return catalogue.size
    return sum(1 for record in _records(catalogue) if matches(query, record))


@lru_cache(maxsize=4)
def _records(catalogue: Catalogue) -> tuple[dict[str, Any], ...]:
    """Every record of ``catalogue``, generated once: a search scans the catalogue for each
    page and each new query's count, and generating a record costs about 50 us (a demo run's
    extract spent most of its time here). Read only: a page that alters records (a fault)
    alters copies."""
    return tuple(catalogue.record(i) for i in range(catalogue.size))


def _query_key_of(raw: bytes) -> str:
    """The request's query, as faults that pick "the first request of each query" see it."""
    try:
        return json.dumps(json.loads(raw or b"{}").get("search_query_json"), sort_keys=True)
    except (json.JSONDecodeError, AttributeError):
        return ""


def _handler_for(server: StandinServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, so client connection pooling is real
        # Headers and body go out as two writes; with Nagle's algorithm on, the body waits
        # for the client's delayed ACK (about 40 ms a response on Linux), which no real
        # server adds.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            server.held()
            with server.answering():
                self._answer_post()

        def _answer_post(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            fault = server.faults.fault_for(server.next_request_number(), _query_key_of(raw))
            if self._refused(fault, self.path, "/v2/data"):
                return
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                self._send_json(*_error(HTTPStatus.BAD_REQUEST, "Request body is not valid JSON."))
                return
            self._answer(*server.respond(body, fault), fault)

        def do_GET(self) -> None:
            """The expired jobs API (not counted in ``max_in_flight``, which measures search)."""
            url = urlsplit(self.path)
            fault = server.expiry_faults.fault_for(server.next_expiry_request_number(), url.query)
            if self._refused(fault, url.path, "/v2/expired_jobs"):
                return
            if not server.config.expired_jobs_endpoint:
                self._send_json(*_error(HTTPStatus.NOT_FOUND, f"No such endpoint {url.path}."))
                return
            self._answer(*_encoded(*server.expired_jobs(parse_qs(url.query), fault)), fault)

        def _refused(self, fault: Fault | None, path: str, endpoint: str) -> bool:
            """What every endpoint checks first: an injected transport fault, the path, the
            credentials. True when the request has been answered."""
            if fault and self._transport_fault(fault):
                return True
            if path.rstrip("/") != endpoint:
                self._send_json(*_error(HTTPStatus.NOT_FOUND, f"No such endpoint {path}."))
                return True
            if not server.authenticate(self.headers):
                self._send_json(*_error(HTTPStatus.UNAUTHORIZED, "Invalid client_id or client_auth_key."))
                return True
            return False

        def _answer(self, status: HTTPStatus, data: bytes, fault: Fault | None) -> None:
            """Send an endpoint's answer after the configured latency, cut short by a
            ``truncate`` fault."""
            if server.config.latency_ms:
                time.sleep(server.config.latency_ms / 1000)
            if fault and fault.kind == "truncate":
                data = data[: len(data) // 2]
            self._send(status, data)

        def _transport_fault(self, fault: Fault) -> bool:
            """Faults that happen before any search: return True when the request is answered."""
            if fault.kind == "slow":
                time.sleep(fault.delay)
                return False
            if fault.kind == "drop":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return True
            if fault.kind == "status":
                headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
                _, payload = _error(HTTPStatus(fault.status_code), "Injected failure.")
                self._send(HTTPStatus(fault.status_code), json.dumps(payload).encode(), headers)
                return True
            if fault.kind == "not_json":
                self._send(HTTPStatus.OK, b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                           content_type="text/html")
                return True
            return False

        def _send(self, status: HTTPStatus, data: bytes, headers: dict[str, str] | None = None,
                  content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _send_json(self, status: HTTPStatus, payload: dict[str, Any]) -> None:
            self._send(status, json.dumps(payload).encode())

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Quiet: tests and the demo count requests instead of printing each one."""

    return Handler
