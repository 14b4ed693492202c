"""The DAG end to end: stand-in API -> raw -> dbt -> marts, on a real Postgres."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest
from airflow.dag_processing.dagbag import DagBag

from standin_api import StandinServer

pytestmark = pytest.mark.integration


def run_ingest(logical_date: datetime) -> str:
    dag = DagBag(dag_folder="dags").get_dag("jobspikr_ingest")
    return str(dag.test(logical_date=logical_date).state)


def served_ids(server: StandinServer) -> set[str]:
    catalogue = server.config.catalogue
    return {catalogue.record(i)["uniq_id"] for i in range(catalogue.size)}


def test_dag_lands_every_record_once_and_rerun_adds_nothing(
        airflow_db: None, warehouse: str, standin: StandinServer) -> None:
    assert run_ingest(datetime(2026, 11, 20, 3, tzinfo=UTC)) == "success"

    expected = served_ids(standin)
    with psycopg.connect(warehouse) as conn:
        raw_ids = [row[0] for row in conn.execute("select uniq_id from raw.jobspikr_jobs")]
        mart_rows = conn.execute("select count(*), count(distinct jobspikr_id) from marts.job_listings").fetchone()
        logged = conn.execute("select status, records_received, inserted from raw.jobspikr_load_log").fetchall()
    assert len(raw_ids) == len(set(raw_ids)) == len(expected)
    assert set(raw_ids) == expected
    assert mart_rows == (len(expected), len(expected))
    assert logged == [("succeeded", len(expected), len(expected))]

    requests_before = standin.requests_served
    assert run_ingest(datetime(2026, 11, 21, 3, tzinfo=UTC)) == "success"
    with psycopg.connect(warehouse) as conn:
        assert conn.execute("select count(*) from raw.jobspikr_jobs").fetchone()[0] == len(expected)
        second = conn.execute(
            "select status, records_received, inserted from raw.jobspikr_load_log order by load_id desc limit 1"
        ).fetchone()
    assert second == ("succeeded", 0, 0)  # resumed from the watermarks: nothing re-downloaded
    assert standin.requests_served > requests_before
