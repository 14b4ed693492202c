"""The integration tests' connection fixture, and the fault matrix's table at the end of the session."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from devkit.suite import ARTIFACTS


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
