"""Shared fixtures: a real Postgres and a real stand-in JobsPikr server for every test that needs one.

Postgres: ``JOBSPIKR_TEST_POSTGRES`` (a libpq conninfo of a superuser, e.g.
``host=127.0.0.1 user=postgres dbname=postgres``) when set, else the embedded
Postgres 18 in ``.local/pgdata-test``. Each test gets a fresh database, dropped after.

The suite runs on every core (pytest-xdist, ``./pipeline test``): each worker has its own
Airflow home (SQLite), embedded Postgres and dbt target directory, named after the worker.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from devkit import lineage
from devkit.suite import TEST_ANCHOR, jobspikr_conn_json, per_worker, slow_first, temporary_database
from local_stack import embedded_warehouse
from local_stack.airflow_env import LOCAL_DIR, airflow_settings, configure_airflow_env, ensure_metadata_db


def _own_settings(shared: dict[str, str], own: dict[str, str]) -> None:
    """Give this worker its own settings: an xdist worker inherits the environment of the
    process that started it, where this module already set the shared ones (a value the
    user set stays)."""
    for key, value in own.items():
        if os.environ.get(key) in (None, shared.get(key)):
            os.environ[key] = value


def _suite_settings(named: Callable[[str], str]) -> dict[str, str]:
    """The suite's Airflow home and dbt target directory (dbt's artifacts, read after each
    build, must not be another worker's), their directories named by ``named``; OpenLineage
    off but where a test reads its events (devkit/lineage.py); dbt's debug file log off
    (tests read dbt's output and its artifacts, never that file; writing it is about 8% of
    a build's CPU, bench/results/findings.md)."""
    return {**airflow_settings(LOCAL_DIR / named("airflow-test")),
            "DBT_TARGET_PATH": str(LOCAL_DIR / named("dbt-target-test")),
            "DBT_LOG_LEVEL_FILE": "none",
            lineage.DISABLED: "true"}


_own_settings(shared=_suite_settings(str), own=_suite_settings(per_worker))
configure_airflow_env(LOCAL_DIR / per_worker("airflow-test"))

from standin_api import Catalogue, StandinConfig, StandinServer  # noqa: E402 (after the Airflow env)


@pytest.fixture(scope="session")
def airflow_db() -> None:
    ensure_metadata_db()


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[str]:
    """Conninfo of a superuser connection to the test Postgres server."""
    with embedded_warehouse.postgres_admin("JOBSPIKR_TEST_POSTGRES", LOCAL_DIR / per_worker("pgdata-test")) as admin:
        yield admin


@pytest.fixture
def warehouse(postgres_admin: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, empty database; ``warehouse_default`` points at it. Yields its conninfo."""
    with temporary_database(postgres_admin) as conninfo:
        monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE_DEFAULT", embedded_warehouse.airflow_conn_json(conninfo))
        yield conninfo


#: What the ``standin`` fixture serves (``real_quirks_standin``: the same, with the real API's quirks).
STANDIN_CATALOGUE = Catalogue(seed=7, size=600, anchor=TEST_ANCHOR, days=5)


def serving(catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch) -> Iterator[StandinServer]:
    """A running stand-in API serving ``catalogue``; ``jobspikr_default`` points at it."""
    with StandinServer(StandinConfig(catalogue=catalogue)) as server:
        monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", jobspikr_conn_json(server))
        yield server


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandinServer]:
    """A running stand-in API with 600 records; ``jobspikr_default`` points at it."""
    yield from serving(STANDIN_CATALOGUE, monkeypatch)


@pytest.fixture
def real_quirks_standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandinServer]:
    """``standin`` with the real API's quirks on (``standin_api/quirks.py``)."""
    yield from serving(replace(STANDIN_CATALOGUE, real_quirks=True), monkeypatch)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked ``slow`` (each with its reason) first in every worker's share."""
    for item in items:
        marker = item.get_closest_marker("slow")
        if marker and not marker.args:
            raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.slow needs the reason it must stay slow")
    items[:] = slow_first(items, lambda item: item.get_closest_marker("slow") is not None,
                          workers=int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
