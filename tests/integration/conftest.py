"""The integration tests' connection and source-flags fixtures, and the fault matrix's table."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

import jobspikr_pipeline.dbt
from devkit.suite import ARTIFACTS, per_worker
from jobspikr_pipeline.cutover.flags import FLAGS_PATH
from local_stack.airflow_env import LOCAL_DIR


@pytest.fixture
def flags_file(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The source flags file of this test's own copy of the dbt project, which every dbt
    command of the test builds from. dbt seeds the flags from the project's file, so a test
    that rolled back in the shared project would have every other worker's build serve the
    rolled-back sources; a copy lets the tests that change the flags run beside the rest. The
    flag functions take this path (``rollback(path=flags_file)``).

    The copy is made afresh for each test, at the same place for every test of a worker, with
    a target directory of its own kept from test to test: so dbt's partial parse holds from
    one such test to the next (a new place per test made each one parse the whole project)."""
    shared, project = jobspikr_pipeline.dbt.DBT_PROJECT_DIR, LOCAL_DIR / per_worker("dbt-project-flags")
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(shared, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    monkeypatch.setattr(jobspikr_pipeline.dbt, "DBT_PROJECT_DIR", project)
    monkeypatch.setenv("DBT_TARGET_PATH", str(LOCAL_DIR / per_worker("dbt-target-flags")))
    return project / FLAGS_PATH.relative_to(shared)


@pytest.fixture
def conn(warehouse: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(warehouse, autocommit=True) as connection:
        yield connection


#: The fault matrix's rows, from the reports of its cases (tests/integration/test_fault_matrix.py).
MATRIX_ROWS: list[dict[str, object]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    MATRIX_ROWS.extend(value for name, value in report.user_properties if name == "fault_matrix_row")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the fault matrix (when its cases ran) and keep it in .local/test-artifacts."""
    if not MATRIX_ROWS:
        return
    lines = ["| fault | runs | records served | landed | lost | duplicated | outcome |",
             "|---|---:|---:|---:|---:|---:|---|"]
    lines += [f"| {r['fault']} | {r['runs']} | {r['served']} | {r['landed']} | {r['lost']} | {r['duplicated']} "
              f"| {r['outcome']} |" for r in MATRIX_ROWS]
    table = "\n".join(lines) + "\n"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "fault_matrix.md").write_text(table)
    terminalreporter.write_sep("=", "fault matrix")
    terminalreporter.write(table)
