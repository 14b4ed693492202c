"""Fault injection for the stand-in API, chosen per run.

A :class:`FaultPlan` maps request numbers (1-based, counting every ``POST /v2/data`` this
server receives) to a :class:`Fault`. Requests without a fault are answered normally, so
a test knows exactly which responses were damaged and which records it must still see.

Kinds:

``status``      answer ``status_code`` (429, 500, 502, 503...) with an error body, and a
                ``Retry-After`` header when ``retry_after`` is set
``slow``        sleep ``delay`` seconds before answering (past the client's read timeout)
``drop``        close the connection without answering (a reset)
``truncate``    send half of the real body with a matching Content-Length (broken JSON)
``not_json``    answer 200 with an HTML page (a proxy's error page)
``wrong_shape`` answer 200 with ``job_data`` as an object
``no_uniq_id``  answer the real page with ``uniq_id`` removed from its first record
``empty_page``  answer ``status: success`` with no records but a ``next_cursor`` (past the
                records it did not send)
``glitch_empty`` answer ``status: success`` with no records and no ``next_cursor``: a
                transient glitch that looks exactly like the end of the results
``duplicates``  repeat the page's first record at its end (a duplicate within a page)
``resend``      start the page one record early, re-sending the previous page's last record
``repeat``      answer the previous page again: its ``next_cursor`` is the cursor asked for
``changed``     answer the real page with its first record's ``has_expired`` flipped to true
                (a re-send with changes)
``drift``       schema drift on every record: a new field, a missing optional field, and
                ``inferred_salary_from`` as a string

A :class:`Storm` is a fault that lasts a time rather than a number of requests (a 429 storm,
an outage of a minute): how many requests it damages is the client's doing, which is what
a test of waiting out such a fault must leave to the client.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

KINDS = frozenset({"status", "slow", "drop", "truncate", "not_json", "wrong_shape", "no_uniq_id",
                   "empty_page", "glitch_empty", "duplicates", "resend", "repeat", "changed", "drift"})


@dataclass(frozen=True)
class Fault:
    kind: str
    status_code: int = 503
    retry_after: float | None = None
    delay: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {sorted(KINDS)}")


@dataclass(frozen=True)
class Storm:
    """From request ``from_request`` on, every request gets ``fault`` until ``seconds`` have
    passed since that request arrived."""

    fault: Fault
    seconds: float
    from_request: int = 1


@dataclass
class FaultPlan:
    """Which requests get which fault: by request number, ``always`` (a host down), a
    ``storm`` (for a time), or ``first_of_each_query``: the first request of every distinct
    query (every post-date day's first answer, say), wherever parallel fetching puts it in
    the request order. ``clock`` times the storm (monotonic seconds)."""

    by_request: dict[int, Fault] = field(default_factory=dict)
    always: Fault | None = None
    storm: Storm | None = None
    first_of_each_query: Fault | None = None
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    _storm_began: float | None = field(default=None, repr=False)
    _queries_seen: set[str] = field(default_factory=set, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def at(cls, requests: Iterable[int], fault: Fault) -> FaultPlan:
        return cls(by_request=dict.fromkeys(requests, fault))

    def fault_for(self, request_number: int, query_key: str = "") -> Fault | None:
        if self.always or request_number in self.by_request:
            return self.always or self.by_request[request_number]
        if self.storm and request_number >= self.storm.from_request and self._storming(self.storm):
            return self.storm.fault
        if self.first_of_each_query:
            with self._lock:
                first = query_key not in self._queries_seen
                self._queries_seen.add(query_key)
            return self.first_of_each_query if first else None
        return None

    def _storming(self, storm: Storm) -> bool:
        with self._lock:
            if self._storm_began is None:
                self._storm_began = self.clock()
            return self.clock() - self._storm_began < storm.seconds
