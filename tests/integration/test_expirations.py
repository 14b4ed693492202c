"""The expired jobs API end to end: the hook against the running stand-in (pages, retries,
failover, a missing endpoint) and ``fetch_expirations`` into a real Postgres."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date

import psycopg
import pytest

from devkit.suite import TEST_ANCHOR, jobspikr_conn_json
from jobspikr.errors import JobsPikrAuthError, JobsPikrEndpointNotFound, JobsPikrResponseError
from jobspikr.expirations import Expiration
from jobspikr.hook import JobsPikrHook
from jobspikr_pipeline.expirations_landing import fetch_expirations
from jobspikr_pipeline.raw_schema import apply_raw_schema
from standin_api import Account, Catalogue, StandinConfig, StandinServer
from standin_api.faults import Fault, FaultPlan
from standin_api.generator import expirations

pytestmark = pytest.mark.integration

CATALOGUE = Catalogue(seed=11, size=250, anchor=TEST_ANCHOR, days=3)
#: Every expiry of the catalogue (posted Nov 15..20, expired 1 to 10 days later).
EVERYTHING = (date(2026, 11, 1), date(2026, 12, 31))
TRUTH = [Expiration(uniq_id, day) for uniq_id, day in expirations(CATALOGUE)]
FAST = {"backoff_initial": 0.01, "backoff_max": 0.02, "read_timeout": 0.5}


def hook_for(monkeypatch: pytest.MonkeyPatch, server: StandinServer, **extra: object) -> JobsPikrHook:
    monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", jobspikr_conn_json(server, **{**FAST, **extra}))
    return JobsPikrHook(sleep=lambda _: None)


@pytest.fixture
def server() -> Iterator[StandinServer]:
    """Pages of 4 expirations, so every range of more than 4 takes several requests."""
    with StandinServer(StandinConfig(catalogue=CATALOGUE, max_page_size=4)) as srv:
        yield srv


def test_the_catalogue_expires_a_few_records_each_after_its_post_date() -> None:
    assert 5 <= len(TRUTH) <= 30 and len({e.uniq_id for e in TRUTH}) == len(TRUTH)
    posted = {CATALOGUE.record(i)["uniq_id"]: date.fromisoformat(CATALOGUE.record(i)["post_date"])
              for i in range(CATALOGUE.size)}
    assert all(e.expired_on > posted[e.uniq_id] for e in TRUTH)
    assert expirations(Catalogue(seed=11, size=250, anchor=TEST_ANCHOR, days=3)) == expirations(CATALOGUE)


def test_the_hook_fetches_every_page_in_order(monkeypatch, server) -> None:
    got = hook_for(monkeypatch, server).expired_jobs(*EVERYTHING)
    assert got == TRUTH
    # pages of 4, then the empty answer after the last page's next_cursor
    assert server.expiry_requests_served == len(TRUTH) // 4 + 1 + (len(TRUTH) % 4 > 0)
    assert server.requests_served == 0 and server.account.credits == Account().credits  # search untouched


def test_only_the_range_asked_for_and_days_a_test_marks(monkeypatch, server) -> None:
    day = TRUTH[0].expired_on
    server.expire("0" * 32, day)
    server.expire(TRUTH[1].uniq_id, day)  # a catalogue job, reported on another day
    got = hook_for(monkeypatch, server).expired_jobs(day, day)
    expected = [e for e in TRUTH if e.expired_on == day or e.uniq_id == TRUTH[1].uniq_id]
    assert got == [Expiration(e.uniq_id, day) for e in expected] + [Expiration("0" * 32, day)]


def test_the_extras_name_the_path_and_parameters(monkeypatch, server) -> None:
    hook = hook_for(monkeypatch, server, expired_jobs_path="no/such/path")
    with pytest.raises(JobsPikrEndpointNotFound, match=r"/no/such/path \(HTTP 404.*extra 'expired_jobs_path'"):
        hook.expired_jobs(*EVERYTHING)
    hook = hook_for(monkeypatch, server, expired_jobs_from_param="from")
    with pytest.raises(JobsPikrResponseError, match=r"HTTP 400.*start_date and end_date"):
        hook.expired_jobs(*EVERYTHING)  # the stand-in serves the assumed names only


def test_an_account_without_the_endpoint_is_a_404_not_retried(monkeypatch) -> None:
    with StandinServer(StandinConfig(catalogue=CATALOGUE, expired_jobs_endpoint=False)) as server:
        with pytest.raises(JobsPikrEndpointNotFound, match="connection 'jobspikr_default'"):
            hook_for(monkeypatch, server).expired_jobs(*EVERYTHING)
        assert server.expiry_requests_served == 1


def test_bad_credentials_fail_once(monkeypatch, server) -> None:
    hook = hook_for(monkeypatch, server)
    server.account.client_auth_key = "another-key"
    with pytest.raises(JobsPikrAuthError, match=r"password \(client_auth_key\)"):
        hook.expired_jobs(*EVERYTHING)
    assert server.expiry_requests_served == 1


def test_transient_faults_are_retried_and_lose_nothing(monkeypatch, server) -> None:
    server.expiry_faults = FaultPlan(by_request={1: Fault("status", status_code=503), 3: Fault("drop"),
                                                 4: Fault("not_json"), 5: Fault("wrong_shape")})
    assert hook_for(monkeypatch, server).expired_jobs(*EVERYTHING) == TRUTH


def test_items_without_uniq_id_are_skipped_and_logged(monkeypatch, server, caplog) -> None:
    server.expiry_faults = FaultPlan.at([2], Fault("no_uniq_id"))
    got = hook_for(monkeypatch, server).expired_jobs(*EVERYTHING)
    assert got == TRUTH[:4] + TRUTH[5:]
    assert "skipped 1 item(s) without a uniq_id" in caplog.text


def test_a_cursor_that_does_not_advance_fails_clearly(monkeypatch, server) -> None:
    server.expiry_faults = FaultPlan.at([2], Fault("repeat"))
    with pytest.raises(JobsPikrResponseError, match="next_cursor 4 after cursor 4 was already asked for"):
        hook_for(monkeypatch, server).expired_jobs(*EVERYTHING)


def test_failover_to_the_backup_host(monkeypatch, caplog) -> None:
    account = Account()
    config = StandinConfig(catalogue=CATALOGUE, max_page_size=4)
    with StandinServer(config, account) as primary, StandinServer(config, account) as backup:
        primary.expiry_faults = FaultPlan(always=Fault("drop"))
        hook = hook_for(monkeypatch, primary, backup_host=backup.url, failover_after=2)
        assert hook.expired_jobs(*EVERYTHING) == TRUTH
        assert primary.expiry_requests_served == 2 and backup.expiry_requests_served > 1
        assert "failing over to backup host" in caplog.text


# -- into the warehouse ------------------------------------------------------------------------


@pytest.fixture
def conn(warehouse: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(warehouse, autocommit=True) as connection:
        apply_raw_schema(connection)
        yield connection


def stored(conn: psycopg.Connection) -> list[tuple[object, ...]]:
    return conn.execute("select uniq_id, expired_on, reported_at, last_reported_at, lower(fetched_range),"
                        " upper(fetched_range) from raw.jobspikr_expirations order by uniq_id").fetchall()


def test_fetch_expirations_upserts_idempotently(monkeypatch, server, conn) -> None:
    hook = hook_for(monkeypatch, server)
    first = fetch_expirations(hook, conn, *EVERYTHING)
    assert first == {"date_from": "2026-11-01", "date_to": "2026-12-31", "endpoint": "available",
                     "received": len(TRUTH), "distinct": len(TRUTH), "new": len(TRUTH), "already_known": 0,
                     "undated": 0}
    rows = stored(conn)
    assert [(r[0], r[1]) for r in rows] == sorted((e.uniq_id, e.expired_on) for e in TRUTH)
    assert all((r[4], r[5]) == (date(2026, 11, 1), date(2027, 1, 1)) for r in rows)  # '[from, to]', normalised

    second = fetch_expirations(hook, conn, *EVERYTHING)
    assert second == {**first, "new": 0, "already_known": len(TRUTH)}
    again = stored(conn)
    assert [r[:3] for r in again] == [r[:3] for r in rows]  # same jobs, days and first report
    assert all(new[3] >= old[3] for new, old in zip(again, rows, strict=True))  # only the last report moved


def test_the_earliest_day_reported_is_kept(monkeypatch, server, conn) -> None:
    job = TRUTH[0]
    hook = hook_for(monkeypatch, server)
    server.expire(job.uniq_id, date(2026, 11, 28))  # reported later first ...
    fetch_expirations(hook, conn, *EVERYTHING)
    server.expire(job.uniq_id, date(2026, 11, 16))  # ... then earlier, then later again
    fetch_expirations(hook, conn, date(2026, 11, 16), date(2026, 11, 16))
    server.expire(job.uniq_id, date(2026, 11, 30))
    summary = fetch_expirations(hook, conn, date(2026, 11, 30), date(2026, 11, 30))
    assert summary["already_known"] == 1
    [(day, low, high)] = conn.execute("select expired_on, lower(fetched_range), upper(fetched_range)"
                                      " from raw.jobspikr_expirations where uniq_id = %s", (job.uniq_id,)).fetchall()
    assert (day, low, high) == (date(2026, 11, 16), date(2026, 11, 30), date(2026, 12, 1))


def test_a_missing_endpoint_warns_once_and_stores_nothing(monkeypatch, conn, caplog) -> None:
    with StandinServer(StandinConfig(catalogue=CATALOGUE, expired_jobs_endpoint=False)) as server, \
            caplog.at_level(logging.WARNING):
        summary = fetch_expirations(hook_for(monkeypatch, server), conn, *EVERYTHING)
    assert summary["endpoint"] == "missing" and "expired_jobs_path" in summary["error"]
    alerts = [r for r in caplog.records if r.name == "jobspikr.alerts"]
    assert len(alerts) == 1 and alerts[0].levelno == logging.WARNING
    assert "no expirations fetched for 2026-11-01..2026-12-31, the run goes on" in alerts[0].getMessage()
    assert conn.execute("select count(*) from raw.jobspikr_expirations").fetchone() == (0,)


def test_raw_expirations_stay_private(conn) -> None:
    """Nothing is granted on the table: BI reads marts only (the dbt run grants bi_reader)."""
    grants = conn.execute("select grantee from information_schema.role_table_grants"
                          " where table_schema = 'raw' and table_name = 'jobspikr_expirations'"
                          " and grantee <> current_user").fetchall()
    assert grants == []
