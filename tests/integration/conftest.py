"""The integration tests' connection fixture, and the fault matrix's table at the end of the session."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from devkit.suite import ARTIFACTS
from jobspikr_pipeline.cutover.flags import FLAGS_PATH
from local_stack.airflow_env import LOCAL_DIR

#: Held shared by every integration test, exclusively by one that rewrites the source flags
#: (``flags_file``): dbt seeds the flags from the project's own file, so while one xdist
#: worker rolls back, a build on another would serve the rolled-back sources. A writer takes
#: the gate first, so the tests that start meanwhile wait for it rather than starve it.
FLAGS_LOCK = LOCAL_DIR / "source-flags.lock"
FLAGS_GATE = LOCAL_DIR / "source-flags.gate"


@contextmanager
def _locked(mode: int) -> Iterator[None]:
    LOCAL_DIR.mkdir(parents=True, exist_ok=True)
    with FLAGS_GATE.open("a") as gate, FLAGS_LOCK.open("a") as lock:
        fcntl.flock(gate, mode)
        fcntl.flock(lock, mode)
        fcntl.flock(gate, fcntl.LOCK_UN)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(autouse=True)
def _source_flags_as_committed(request: pytest.FixtureRequest) -> Iterator[None]:
    if "flags_file" in request.fixturenames:
        yield
        return
    with _locked(fcntl.LOCK_SH):
        yield


@pytest.fixture
def flags_file() -> Iterator[Path]:
    """The real flags file (dbt seeds it), this test's alone, restored after it."""
    with _locked(fcntl.LOCK_EX):
        saved = FLAGS_PATH.read_text()
        try:
            yield FLAGS_PATH
        finally:
            FLAGS_PATH.write_text(saved)


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
