"""What a dbt build's tests found: each failing or warning test, how many rows it returned and
the query that shows them.

Left to Cosmos, a failed build ends with "dbt command failed ... non-zero exit code 1", naming
no test. dbt writes every node's outcome to ``target/run_results.json`` (``status``, and in
``failures`` the number of rows a test returned) and its configuration to
``target/manifest.json`` (``severity``, and where ``store_failures`` keeps the rows: the
project stores every test's rows in the ``audit`` schema, dbt_project.yml). This module reads
the two, and is the one place that words the outcome: for the exception that fails the
build's task, the failure alert and the ``./pipeline run`` summary.

``error`` severity: a failing test means a bug in our code or a broken promise of the marts,
and the run fails. ``warn`` severity: the data itself can trip the test (one odd source
value); the build goes on and the warning is counted in the summary.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Where dbt_project.yml has dbt keep each test's failing rows (``audit.<test name>``).
AUDIT_SCHEMA = "audit"
#: The XCom key under which a dbt task keeps its build's failing and warning tests.
XCOM_KEY = "dbt_test_results"
#: Test statuses worth reporting (dbt's others: pass, skipped).
REPORTED_STATUSES = ("fail", "error", "warn")
_PLAIN_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_$]*$")


class DbtTestsFailedError(RuntimeError):
    """A dbt build whose tests failed (or could not run); the message names each one."""


@dataclass(frozen=True)
class TestResult:
    """One test that failed, errored or warned in a dbt invocation."""

    __test__ = False  # not a pytest test class, whatever its name

    unique_id: str
    name: str
    #: dbt's status: ``fail`` (rows returned, error severity), ``warn`` (rows returned, warn
    #: severity) or ``error`` (the test's query itself failed: no row count).
    status: str
    severity: str
    #: The rows the test returned; None when its query failed.
    failures: int | None
    #: The table holding those rows (``audit.<test>``), when dbt stored them.
    relation: str | None
    #: The model (or seed, snapshot) the test belongs to, when it belongs to one.
    model: str | None
    #: dbt's message: "Got 3 results, configured to fail if != 0", or the SQL error.
    message: str

    @property
    def failed(self) -> bool:
        """Whether it fails the build (a warning does not)."""
        return self.status in ("fail", "error")

    @property
    def query(self) -> str | None:
        # text for a person to run, never executed here; the relation is dbt's own name
        return f"select * from {self.relation}" if self.relation else None  # noqa: S608

    def describe(self) -> str:
        """``assert_x (error severity): 3 failing rows: select * from audit.assert_x``."""
        head = f"{self.name} ({self.severity} severity)"
        if self.status == "error":
            return f"{head}: could not run: {self.error()}"
        rows = f"{self.failures} failing row{'' if self.failures == 1 else 's'}"
        return f"{head}: {rows}: {self.query}" if self.query else f"{head}: {rows}"

    def error(self) -> str:
        """The database's error, without dbt's heading ("Database Error in test x (path)")."""
        lines = [line.strip() for line in self.message.splitlines() if line.strip()]
        if len(lines) > 1 and " in test " in lines[0]:
            lines = lines[1:]
        return lines[0] if lines else "no message"

    def to_record(self) -> dict[str, Any]:
        """A JSON-able dict, for XCom."""
        return asdict(self)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> TestResult:
        return cls(**{name: record.get(name) for name in cls.__dataclass_fields__})  # type: ignore[arg-type]


def read_test_results(target_dir: Path, *, not_before: float | None = None) -> list[TestResult]:
    """The failing, erroring and warning tests of the dbt invocation that wrote ``target_dir``
    (``run_results.json`` and ``manifest.json``); none when it wrote no run results, or (with
    ``not_before``, a ``time.time()``) only older ones, from an earlier invocation."""
    run_results = target_dir / "run_results.json"
    if not run_results.is_file() or (not_before is not None and run_results.stat().st_mtime < not_before):
        return []
    manifest_path = target_dir / "manifest.json"
    nodes = json.loads(manifest_path.read_text()).get("nodes", {}) if manifest_path.is_file() else {}
    return reported_tests(json.loads(run_results.read_text()), nodes)


def reported_tests(run_results: Mapping[str, Any], nodes: Mapping[str, Any]) -> list[TestResult]:
    """The reported tests of a parsed ``run_results.json``, with ``nodes`` (the manifest's)
    for each test's name, severity, model and audit table."""
    found = []
    for result in run_results.get("results", []):
        unique_id = result.get("unique_id", "")
        status = result.get("status")
        if not unique_id.startswith("test.") or status not in REPORTED_STATUSES:
            continue
        node = nodes.get(unique_id, {})
        config = node.get("config", {})
        failures = result.get("failures")
        found.append(TestResult(
            unique_id=unique_id,
            name=node.get("name") or unique_id.split(".")[2],
            status=status,
            severity=str(config.get("severity") or ("warn" if status == "warn" else "error")).lower(),
            failures=int(failures) if failures is not None and status != "error" else None,
            relation=_audit_relation(node, result) if config.get("store_failures") else None,
            model=_model_of(node),
            message=result.get("message") or "",
        ))
    return sorted(found, key=lambda t: (not t.failed, t.name))


def _audit_relation(node: Mapping[str, Any], result: Mapping[str, Any]) -> str | None:
    """``schema.table`` of the stored failures, without the database (the reader is already
    connected to it), quoted only where Postgres needs it."""
    schema, table = node.get("schema"), node.get("alias") or node.get("name")
    if not (schema and table):
        return result.get("relation_name")
    return ".".join(_quoted(part) for part in (schema, table))


def _quoted(identifier: str) -> str:
    return identifier if _PLAIN_IDENTIFIER.match(identifier) else '"' + identifier.replace('"', '""') + '"'


def _model_of(node: Mapping[str, Any]) -> str | None:
    """The node a test belongs to: a generic test's ``attached_node``, else a singular
    test's only parent."""
    if node.get("attached_node"):
        return str(node["attached_node"])
    parents = [p for p in node.get("depends_on", {}).get("nodes", []) if not p.startswith("source.")]
    return parents[0] if len(parents) == 1 else None


def failure_message(results: Sequence[TestResult]) -> str:
    """Why the build failed, for its task's exception and the alert: every failing test with
    its rows and query (or why it could not run), and the warnings' count."""
    failed = [t for t in results if t.failed]
    warned = [t for t in results if not t.failed]
    text = f"{len(failed)} dbt test{'' if len(failed) == 1 else 's'} failed: " + "; ".join(
        t.describe() for t in failed)
    if warned:
        text += f" (and {warning_count(warned)})"
    return text


def warning_count(warned: Sequence[TestResult]) -> str:
    return f"{len(warned)} warning{'' if len(warned) == 1 else 's'}"


def summary_lines(results: Sequence[TestResult]) -> list[str]:
    """The ``./pipeline run`` summary's lines: one per failing test, one for the warnings."""
    failed = [t for t in results if t.failed]
    warned = [t for t in results if not t.failed]
    lines = [f"FAILED {t.describe()}" for t in failed]
    if warned:
        lines.append(f"{warning_count(warned)}: " + "; ".join(t.describe() for t in warned))
    return lines or ["all passed, no warnings"]


def report_build(project_dir: str | Path, context: Mapping[str, Any] | None = None, **_: Any) -> list[TestResult]:
    """Cosmos' ``callback`` for the DAG's dbt tasks, called with the (temporary) project
    directory after each dbt invocation and before Cosmos judges its exit code: log what the
    tests found, keep it in XCom (``XCOM_KEY``, for the run summary and the alerts) and, when
    a test failed, fail the task with a message that names it (``DbtTestsFailedError``) rather
    than with Cosmos' "dbt command failed"."""
    results = read_test_results(target_path(project_dir))
    for result in results:
        (log.error if result.failed else log.warning)("dbt test %s", result.describe())
    ti = (context or {}).get("ti")
    if ti is not None:
        ti.xcom_push(key=XCOM_KEY, value=[r.to_record() for r in results])
    if any(r.failed for r in results):
        raise DbtTestsFailedError(failure_message(results))
    return results


def target_path(project_dir: str | Path) -> Path:
    """Where dbt wrote its artifacts for ``project_dir``: ``DBT_TARGET_PATH`` when set (dbt's
    own setting; relative to the project, as dbt reads it), else the project's ``target``."""
    return Path(project_dir) / (os.environ.get("DBT_TARGET_PATH") or "target")


def results_for_task(context: Mapping[str, Any]) -> list[TestResult]:
    """For a failed dbt node task's alert: the tests of its node that the producer's build
    reported (a node's test task only watches that build; a detached test's task watches one
    test). None for a task outside a Cosmos watcher group."""
    ti = context.get("ti") or context.get("task_instance")
    task = getattr(ti, "task", None)
    producer_id = getattr(task, "producer_task_id", None)
    if ti is None or producer_id is None:
        return []
    records = ti.xcom_pull(task_ids=producer_id, key=XCOM_KEY) or []
    results = [TestResult.from_record(r) for r in records]
    node = getattr(task, "model_unique_id", None)
    return [r for r in results if node in (r.model, r.unique_id)] if node else results
