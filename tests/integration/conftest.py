"""Shared by the tests that build the dbt project on a real warehouse."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from jobspikr_pipeline.dbt import run_dbt


def build(*args: str) -> None:
    """``dbt build`` against the test warehouse (``warehouse_default``)."""
    run_dbt(["build", *args], conn_id="warehouse_default")


@pytest.fixture
def conn(warehouse: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(warehouse, autocommit=True) as connection:
        yield connection
