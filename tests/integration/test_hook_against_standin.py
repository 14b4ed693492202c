"""The JobsPikr hook against the running stand-in server: every fault, exact record sets."""

from __future__ import annotations

import json
import threading
import types
from collections.abc import Iterator

import pytest
import requests

from devkit.suite import TEST_ANCHOR, jobspikr_conn_json
from jobspikr.errors import (
    JobsPikrAuthError,
    JobsPikrCreditsError,
    JobsPikrResponseError,
    JobsPikrUnavailableError,
)
from jobspikr.hook import JobsPikrHook
from jobspikr.query import JobsPikrQuery
from standin_api import Account, Catalogue, StandinConfig, StandinServer
from standin_api.faults import Fault, FaultPlan

pytestmark = pytest.mark.integration

#: With the real API's quirks (placeholders, extra fields, nulls, left-out keys...): what is
#: asserted here is which records arrive, and quirks must not change it.
CATALOGUE = Catalogue(seed=11, size=250, anchor=TEST_ANCHOR, days=3, real_quirks=True)
ALL_IDS = {CATALOGUE.record(i)["uniq_id"] for i in range(CATALOGUE.size)}
FAST = {"page_size": 50, "backoff_initial": 0.01, "backoff_max": 0.02, "read_timeout": 0.5}


@pytest.fixture
def server() -> Iterator[StandinServer]:
    with StandinServer(StandinConfig(catalogue=CATALOGUE)) as srv:
        yield srv


class Sleeps(list[float]):
    """Records the hook's backoff sleeps instead of sleeping; the hook's retry clock moves by them."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)

    def clock(self) -> float:
        return sum(self)


def make_hook(monkeypatch: pytest.MonkeyPatch, server: StandinServer, sleeps: Sleeps | None = None,
              **extra: object) -> JobsPikrHook:
    monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", jobspikr_conn_json(server, **{**FAST, **extra}))
    sleeps = Sleeps() if sleeps is None else sleeps
    return JobsPikrHook(sleep=sleeps, clock=sleeps.clock)


def fetch_ids(hook: JobsPikrHook, cursor: int | None = None) -> tuple[list[str], int | None]:
    """All uniq_ids the pages carry (duplicates kept), and where the last page said to resume."""
    ids: list[str] = []
    resume = cursor
    for page in hook.stream(JobsPikrQuery(), cursor):
        ids.extend(r["uniq_id"] for r in page.records)
        if page.records:
            resume = page.next_cursor
    return ids, resume


def test_pages_carry_every_record_once_one_page_at_a_time(monkeypatch, server) -> None:
    hook = make_hook(monkeypatch, server)
    pages = iter(hook.stream(JobsPikrQuery()))
    assert isinstance(pages, types.GeneratorType)  # pulled lazily: one page in memory
    sizes = [len(p.records) for p in pages]
    assert sizes == [50, 50, 50, 50, 50, 0]  # the last page had a next_cursor; total_count confirms the end
    ids, _ = fetch_ids(make_hook(monkeypatch, server))
    assert len(ids) == len(set(ids)) and set(ids) == ALL_IDS


def test_quirky_records_pass_through_the_hook_as_sent_and_none_is_rejected(monkeypatch, server) -> None:
    pages = list(make_hook(monkeypatch, server).stream(JobsPikrQuery()))
    records = [r for p in pages for r in p.records]
    assert not [r for p in pages for r in p.rejected]
    assert records == [CATALOGUE.record(i) for i in range(CATALOGUE.size)]
    assert any("extra_fields" in r for r in records) and any("|" in r["city"] for r in records)
    assert {r["duplicate_status"] for r in records} == {"NA", "true", "false"}


def test_filters_are_applied_by_the_server(monkeypatch, server) -> None:
    hook = make_hook(monkeypatch, server)
    query = JobsPikrQuery(job_board=("dice",))
    got = [r for p in hook.stream(query) for r in p.records]
    expected = {CATALOGUE.record(i)["uniq_id"] for i in range(CATALOGUE.size)
                if CATALOGUE.record(i)["job_board"] == "dice"}
    assert expected and {r["uniq_id"] for r in got} == expected


def test_bad_credentials_fail_once_naming_the_connection(monkeypatch, server) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", json.dumps({
        "conn_type": "jobspikr", "host": server.url, "login": server.account.client_id,
        "password": "wrong", "extra": FAST}))
    with pytest.raises(JobsPikrAuthError, match=r"'jobspikr_default'.*password \(client_auth_key\)"):
        fetch_ids(JobsPikrHook(sleep=Sleeps()))
    assert server.requests_served == 1  # not retried


def test_rotated_secret_is_reread_once(monkeypatch, server) -> None:
    hook = make_hook(monkeypatch, server)
    server.account.client_auth_key = "rotated-key-0000000000000000000000000000000"
    monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", jobspikr_conn_json(server, **FAST))
    ids, _ = fetch_ids(hook)
    assert set(ids) == ALL_IDS
    assert server.requests_served == 7  # one 401, then six pages with the new key


def test_server_accepts_basic_auth_and_string_queries(server) -> None:
    body = {"size": 5, "search_query_json": json.dumps({"bool": {"must": [{"match_all": {}}]}})}
    response = requests.post(f"{server.url}/data", json=body, timeout=5,
                             auth=(server.account.client_id, server.account.client_auth_key))
    assert response.status_code == 200 and response.json()["size"] == 5
    assert requests.post(f"{server.url}/data", json=body, timeout=5, auth=("x", "y")).status_code == 401


RETRIED_FAULTS = {
    "429 with Retry-After": (Fault("status", status_code=429, retry_after=2), [2, 3, 4]),
    "429 without Retry-After": (Fault("status", status_code=429), [2, 3, 4]),
    "500 burst": (Fault("status", status_code=500), [2, 3, 4]),
    "502": (Fault("status", status_code=502), [3]),
    "503 burst": (Fault("status", status_code=503), [1, 2, 3, 4]),
    "timeout": (Fault("slow", delay=1.5), [2]),
    "connection reset": (Fault("drop"), [2, 4]),
    "truncated JSON": (Fault("truncate"), [3]),
    "HTML instead of JSON": (Fault("not_json"), [2]),
}


@pytest.mark.parametrize("name", list(RETRIED_FAULTS))
def test_transient_faults_are_retried_and_lose_nothing(monkeypatch, server, name) -> None:
    fault, at = RETRIED_FAULTS[name]
    server.faults = FaultPlan.at(at, fault)
    sleeps = Sleeps()
    ids, _ = fetch_ids(make_hook(monkeypatch, server, sleeps))
    assert len(ids) == len(set(ids)) and set(ids) == ALL_IDS
    assert len(sleeps) == len(at)  # exactly one backoff per damaged response
    if fault.retry_after is not None:
        assert sleeps == [2.0] * len(at)  # the server's Retry-After, not our own backoff


def test_retry_budget_is_bounded_and_the_error_is_clear(monkeypatch, server) -> None:
    server.faults = FaultPlan(always=Fault("status", status_code=503))
    sleeps = Sleeps()
    with pytest.raises(JobsPikrUnavailableError, match=r"whole retry budget of 0.5s.*HTTP 503") as failed:
        fetch_ids(make_hook(monkeypatch, server, sleeps, retry_budget_seconds=0.5))
    assert sum(sleeps) == pytest.approx(0.5)
    assert f"in {server.requests_served} tries over 0.5s" in str(failed.value)


def test_a_record_without_uniq_id_is_rejected_with_its_reason_not_dropped(monkeypatch, server) -> None:
    server.faults = FaultPlan.at([3], Fault("no_uniq_id"))
    pages = list(make_hook(monkeypatch, server).stream(JobsPikrQuery()))
    rejected = [r for p in pages for r in p.rejected]
    assert len(rejected) == 1 and "has no uniq_id" in rejected[0].reason
    ids = [r["uniq_id"] for p in pages for r in p.records]
    assert len(ids) == len(ALL_IDS) - 1 and set(ids) < ALL_IDS


def test_a_single_wrong_shape_is_asked_again(monkeypatch, server) -> None:
    server.faults = FaultPlan.at([3], Fault("wrong_shape"))
    ids, _ = fetch_ids(make_hook(monkeypatch, server))
    assert set(ids) == ALL_IDS and len(ids) == len(ALL_IDS)


def test_a_wrong_shape_that_repeats_fails_loudly_and_a_resume_loses_nothing(monkeypatch, server) -> None:
    server.faults = FaultPlan.at(range(3, 10_000), Fault("wrong_shape"))
    hook = make_hook(monkeypatch, server, retry_budget_seconds=0.5)
    ids: list[str] = []
    resume = None
    with pytest.raises(JobsPikrResponseError, match=r"job_data is a dict.*the same in all \d+ tries over 0.5s"):
        for page in hook.stream(JobsPikrQuery()):
            ids.extend(r["uniq_id"] for r in page.records)
            resume = page.next_cursor
    assert len(ids) == 100
    server.faults = FaultPlan()
    rest, _ = fetch_ids(hook, resume)  # the next run resumes from the stored cursor
    assert set(ids) | set(rest) == ALL_IDS and len(ids) + len(rest) == len(ALL_IDS)


def test_an_empty_page_mid_stream_is_asked_again_and_nothing_is_skipped(monkeypatch, server) -> None:
    server.faults = FaultPlan.at([3], Fault("empty_page"))
    hook = make_hook(monkeypatch, server)
    ids, _ = fetch_ids(hook)
    assert set(ids) == ALL_IDS and len(ids) == len(ALL_IDS)


def test_two_empty_pages_in_a_row_end_the_pass_and_the_resume_gets_the_rest(monkeypatch, server) -> None:
    server.faults = FaultPlan.at([3, 4], Fault("empty_page"))
    hook = make_hook(monkeypatch, server)
    first, resume = fetch_ids(hook)
    assert len(first) == 100
    rest, _ = fetch_ids(hook, resume)
    assert set(first) | set(rest) == ALL_IDS and len(first) + len(rest) == len(ALL_IDS)


SERVER_BEHAVIOURS = {
    "pages capped at 20 (asked for 50)": (StandinConfig(catalogue=CATALOGUE, max_page_size=20), FaultPlan()),
    "no next_cursor on the last page": (StandinConfig(catalogue=CATALOGUE, next_cursor_on_last_page=False),
                                        FaultPlan()),
    "an empty first answer that looks like the end": (StandinConfig(catalogue=CATALOGUE),
                                                       FaultPlan.at([1], Fault("glitch_empty"))),
    "an empty answer mid-stream that looks like the end": (StandinConfig(catalogue=CATALOGUE),
                                                            FaultPlan.at([3], Fault("glitch_empty"))),
    "a repeated page": (StandinConfig(catalogue=CATALOGUE), FaultPlan.at([3, 5], Fault("repeat"))),
    "no total_count": (StandinConfig(catalogue=CATALOGUE, send_total_count=False), FaultPlan()),
}


@pytest.mark.parametrize("behaviour", list(SERVER_BEHAVIOURS))
def test_one_stream_gets_every_record_whatever_the_server_does_within_the_notes(monkeypatch, behaviour) -> None:
    """Behaviours the API notes leave open: none may end a stream before its last record."""
    config, faults = SERVER_BEHAVIOURS[behaviour]
    with StandinServer(config) as server:
        server.faults = faults
        stream = make_hook(monkeypatch, server).stream(JobsPikrQuery())
        ids = [r["uniq_id"] for page in stream for r in page.records]
    assert set(ids) == ALL_IDS and stream.end is not None and stream.end.received == len(ALL_IDS)


@pytest.mark.parametrize("kind", ["duplicates", "resend"])
def test_duplicate_records_are_passed_on_for_the_loader_to_skip(monkeypatch, server, kind) -> None:
    server.faults = FaultPlan.at([2, 4], Fault(kind))
    ids, _ = fetch_ids(make_hook(monkeypatch, server))
    assert set(ids) == ALL_IDS and len(ids) == len(ALL_IDS) + 2


def test_failover_to_backup_and_back_on_the_next_run(monkeypatch, caplog) -> None:
    account = Account()
    config = StandinConfig(catalogue=CATALOGUE)
    with StandinServer(config, account) as primary, StandinServer(config, account) as backup:
        primary.faults = FaultPlan(always=Fault("drop"))
        hook = make_hook(monkeypatch, primary, backup_host=backup.url, failover_after=2)
        ids, _ = fetch_ids(hook)
        assert set(ids) == ALL_IDS and len(ids) == len(ALL_IDS)
        assert primary.requests_served == 2 and backup.requests_served == 6
        assert "failing over to backup host" in caplog.text
        primary.faults = FaultPlan()
        next_run = make_hook(monkeypatch, primary, backup_host=backup.url, failover_after=2)
        assert next_run.hosts.active == next_run.primary
        fetch_ids(next_run)
        assert primary.requests_served == 2 + 6 and backup.requests_served == 6


def test_credit_floor_stops_before_spending_under_it(monkeypatch) -> None:
    with StandinServer(StandinConfig(catalogue=CATALOGUE), Account(credits=250)) as server:
        hook = make_hook(monkeypatch, server, credit_floor=100)
        ids: list[str] = []
        with pytest.raises(JobsPikrCreditsError, match=r"floor \(100\).*'credit_floor'"):
            for page in hook.stream(JobsPikrQuery()):
                ids.extend(r["uniq_id"] for r in page.records)
        assert len(ids) == 150 and server.account.credits == 100


def test_exhausted_credits_are_a_clear_error_not_a_short_page(monkeypatch) -> None:
    with StandinServer(StandinConfig(catalogue=CATALOGUE), Account(credits=0)) as server:
        with pytest.raises(JobsPikrCreditsError, match="HTTP 402"):
            fetch_ids(make_hook(monkeypatch, server))
        assert server.requests_served == 1


def test_hooks_of_one_connection_share_one_rate_limiter(monkeypatch, server) -> None:
    assert make_hook(monkeypatch, server).limiter is make_hook(monkeypatch, server).limiter


def test_preloaded_server_serves_the_same_pages(monkeypatch, server) -> None:
    """The benchmark's fast path must be byte-for-byte the same API as the generating one."""
    query = JobsPikrQuery(post_date_from=TEST_ANCHOR.replace(day=18), post_date_to=TEST_ANCHOR.replace(day=19))
    with StandinServer(StandinConfig(catalogue=CATALOGUE), preload=True) as fast:
        slow_pages = list(make_hook(monkeypatch, server).stream(query))
        fast_pages = list(make_hook(monkeypatch, fast).stream(query))
    assert len(slow_pages) > 2
    assert [(p.records, p.next_cursor, p.total_count) for p in fast_pages] == [
        (p.records, p.next_cursor, p.total_count) for p in slow_pages]


def test_a_held_server_answers_only_once_released(monkeypatch, server) -> None:
    """The scale-out test orders two runs with ``holding()``: a request sent while held waits
    for the release, and then gets its real page."""
    hook = make_hook(monkeypatch, server, read_timeout=30)
    answered = threading.Event()
    pages: list[int] = []

    def first_page() -> None:
        pages.append(len(next(iter(hook.stream(JobsPikrQuery()))).records))
        answered.set()

    with server.holding():
        worker = threading.Thread(target=first_page)
        worker.start()
        assert not answered.wait(1.0), "a held server answered"
    assert answered.wait(10) and pages == [50]
    worker.join()
