"""What the suite's tests share: the fixed date their data is anchored to, the stand-in's
connection as tests use it, each xdist worker's own directories, a temporary database, dbt builds
on the test warehouse, landing parsed records in one call, and the order the slow tests start
in."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import psycopg
from psycopg.conninfo import make_conninfo

from local_stack.airflow_env import LOCAL_DIR

if TYPE_CHECKING:  # nothing here imports Airflow: tests/conftest.py configures it after this import
    from jobspikr.responses import Rejected
    from jobspikr_pipeline.load_ledger import LoadCounts
    from jobspikr_pipeline.raw_loader import RawLoader
    from standin_api import StandinServer

#: Fixed so that test data, and the data intervals tests run, never depend on today.
TEST_ANCHOR = date(2026, 11, 20)
#: Screenshots, pages and tables the tests keep for a person to look at.
ARTIFACTS = LOCAL_DIR / "test-artifacts"
T = TypeVar("T")


def per_worker(name: str) -> str:
    """``name``, made this xdist worker's own (``name-gw1``); as is without xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"{name}-{worker}" if worker else name


@contextmanager
def temporary_database(admin: str, prefix: str = "jobspikr_test") -> Iterator[str]:
    """A new, empty database on the server of ``admin`` (a superuser's conninfo), dropped
    afterwards with whatever is still connected to it; yields its conninfo.

    Its name is the first one free of ``prefix-<worker>_1``, ``_2``, ...: one test after the
    other gets the same name. dbt hashes the connection, database name included, into its
    partial-parse state, so a new name per test made each test's first dbt command parse the
    whole project again (about three times as long as a partial parse). A name is held by a
    session-level advisory lock for as long as the database is in use, so another pytest run
    on the same server never takes it; a database left by a run that died is dropped and made
    anew."""
    with psycopg.connect(admin, autocommit=True) as holder:
        name = _claim_database_name(holder, per_worker(prefix))
        holder.execute(f'drop database if exists "{name}" with (force)')
        holder.execute(f'create database "{name}"')
        try:
            yield make_conninfo(admin, dbname=name)
        finally:
            holder.execute(f'drop database if exists "{name}" with (force)')


def _claim_database_name(conn: psycopg.Connection, stem: str) -> str:
    """The first ``stem_<n>`` whose advisory lock this session could take (and now holds)."""
    n = 1
    while not conn.execute("select pg_try_advisory_lock(hashtext(%s))", (f"{stem}_{n}",)).fetchone()[0]:
        n += 1
    return f"{stem}_{n}"


def jobspikr_conn_json(server: StandinServer, **extra: object) -> str:
    """The stand-in's connection, with a rate limit no test waits on unless it sets one."""
    return server.account.connection_json(server.url, **{"requests_per_minute": 6000, **extra})


def build(*args: str) -> None:
    """``dbt build`` against the test warehouse (``warehouse_default``), as production builds."""
    from jobspikr_pipeline.dbt import build_args, run_dbt

    run_dbt(build_args(*args), conn_id="warehouse_default")


def land_records(loader: RawLoader, records: list[dict[str, Any]], *, post_date: date, host: str = "test",
                 rejected: Sequence[Rejected] = ()) -> LoadCounts:
    """Prepare and land parsed records as one batch of one page (the extract prepares each
    page as it arrives instead)."""
    return loader.land(loader.prepare(records), post_date=post_date, next_cursor=None, pages=1, byte_count=0,
                       host=host, rejected=rejected)


def slow_first(items: Sequence[T], is_slow: Callable[[T], bool], *, workers: int) -> list[T]:
    """``items`` with the slow ones first in each worker's share, dealt one by one.

    xdist's work-stealing scheduler hands each of ``workers`` an equal run of the collection,
    in order, and later moves tests from the end of the longest queue to a worker that ran
    dry: a slow test left near the end of a queue would start last and hold the whole run
    up. Each share here starts with its slow tests instead; the others keep their order."""
    workers = max(workers, 1)
    slow = [item for item in items if is_slow(item)]
    rest = [item for item in items if not is_slow(item)]
    ordered: list[T] = []
    remaining = len(items)
    for worker in range(workers):
        share = remaining // (workers - worker)   # as xdist splits: what is left over the workers left
        own = slow[worker::workers]
        taken = max(share - len(own), 0)
        ordered += own + rest[:taken]
        rest = rest[taken:]
        remaining -= share
    return ordered + rest
