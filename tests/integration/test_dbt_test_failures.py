"""A failing dbt test, end to end on a real Postgres: the run fails, and its alert and the
``./pipeline run`` summary name the test, its failing rows and the query that shows them; a
warn-severity test that trips is a warning the summary counts, and the run succeeds.

The tests are added to a copy of the dbt project (``JOBSPIKR_DBT_PROJECT_DIR`` and the
modules' project paths point at it), with its own manifest for the DAG's Cosmos group: the
product's project is not touched."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from devkit.dag_runs import run_id_at, run_ingest, task_states
from jobspikr_pipeline import dbt, dbt_graph
from local_stack.run import dbt_tests_line
from standin_api import StandinServer

pytestmark = pytest.mark.integration

#: An error-severity test that any build with three listings fails: a bug, the run fails.
BROKEN = "select job_listing_id from {{ ref('job_listings') }} order by job_listing_id limit 3\n"
#: A warn-severity test two listings trip: a warning, the run goes on.
ODD_VALUE = ("{{ config(severity='warn') }}\n"
             "select job_listing_id from {{ ref('job_listings') }} order by job_listing_id limit 2\n")


@pytest.fixture
def project_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """``project_with(name=sql, ...)``: a copy of the dbt project with these singular tests
    added, used by the DAG and by dbt from now on."""

    def make(**tests: str) -> Path:
        project = tmp_path / "dbt_project"
        shutil.copytree(dbt.DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
        for name, sql in tests.items():
            (project / "tests" / f"{name}.sql").write_text(sql)
        manifest_dir = project / "target" / "airflow"
        monkeypatch.setenv("JOBSPIKR_DBT_PROJECT_DIR", str(project))
        monkeypatch.setattr(dbt, "DBT_PROJECT_DIR", project)
        monkeypatch.setattr(dbt_graph, "DBT_PROJECT_DIR", project)
        monkeypatch.setattr(dbt_graph, "MANIFEST_DIR", manifest_dir)
        monkeypatch.setattr(dbt_graph, "MANIFEST_PATH", manifest_dir / "manifest.json")
        dbt_graph.write_manifest()
        return project

    return make


def test_a_failing_error_test_fails_the_run_naming_the_test_rows_and_query(
        airflow_db: None, warehouse: str, standin: StandinServer, project_with, caplog) -> None:
    project_with(assert_broken_by_design=BROKEN, assert_odd_value_warns=ODD_VALUE)
    run_date = datetime(2026, 11, 20, 3, tzinfo=UTC)
    assert run_ingest(run_date, airflow_retries=False) == "failed"
    states = task_states(run_date)
    assert states["dbt.dbt_producer_watcher"] == "failed"
    assert states["dbt.job_listings.test"] == "failed"  # the model the broken test reads
    assert states["report_cutover"] == "upstream_failed"

    failure = ("assert_broken_by_design (error severity): 3 failing rows: "
               "select * from audit.assert_broken_by_design")
    alerts = [r.getMessage() for r in caplog.records if r.name == "jobspikr.alerts"]
    [build_alert] = [a for a in alerts if "task 'dbt.dbt_producer_watcher'" in a]
    assert f"DbtTestsFailedError: 1 dbt test failed: {failure} (and " in build_alert
    assert "dbt command failed" not in build_alert and "the audit schema keeps them" in build_alert
    [node_alert] = [a for a in alerts if "task 'dbt.job_listings.test'" in a]
    assert failure in node_alert

    summary = dbt_tests_line(run_id_at(run_date))
    assert summary.startswith(f"FAILED {failure}\n")
    assert "assert_odd_value_warns (warn severity): 2 failing rows: select * from audit.assert_odd_value_warns" \
        in summary

    with psycopg.connect(warehouse, autocommit=True) as conn:  # the query shows the rows
        assert len(conn.execute("select * from audit.assert_broken_by_design").fetchall()) == 3
        conn.execute("set role bi_reader")  # and BI cannot read them
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select * from audit.assert_broken_by_design")


def test_a_tripped_warning_is_counted_and_the_run_succeeds(
        airflow_db: None, warehouse: str, standin: StandinServer, project_with) -> None:
    project_with(assert_odd_value_warns=ODD_VALUE)
    run_date = datetime(2026, 11, 20, 3, tzinfo=UTC)
    assert run_ingest(run_date, airflow_retries=False) == "success"
    summary = dbt_tests_line(run_id_at(run_date))
    assert "FAILED" not in summary
    assert " warning" in summary.split(":")[0]
    assert "assert_odd_value_warns (warn severity): 2 failing rows: select * from audit.assert_odd_value_warns" \
        in summary
