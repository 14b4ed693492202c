"""Reading a dbt build's test outcome from its artifacts, and wording it.

``dbt_artifacts/`` holds a real ``run_results.json`` and the matching manifest nodes, cut
down from a ``dbt test`` of the project (store_failures on) with a failing, an erroring and
two warning tests added."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from jobspikr_pipeline.alerts import alert_message
from jobspikr_pipeline.dbt_test_results import (
    XCOM_KEY,
    DbtTestsFailedError,
    TestResult,
    read_test_results,
    report_build,
    reported_tests,
    results_for_task,
    summary_lines,
)

ARTIFACTS = Path(__file__).parent / "dbt_artifacts"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project directory whose target/ holds the artifacts, as after a dbt build (with
    dbt's default target path, whatever the shell running the tests sets)."""
    monkeypatch.delenv("DBT_TARGET_PATH", raising=False)
    shutil.copytree(ARTIFACTS, tmp_path / "target")
    return tmp_path


def by_name(results: list[TestResult]) -> dict[str, TestResult]:
    return {r.name: r for r in results}


def test_every_failing_erroring_and_warning_test_is_read_with_rows_and_query(project: Path) -> None:
    results = read_test_results(project / "target")
    found = by_name(results)
    assert set(found) == {"assert_no_listing_is_titled_broken", "assert_that_cannot_run",
                          "assert_one_odd_value_warns", "accepted_values_cutover_threshold_checks_passed__True"}
    broken = found["assert_no_listing_is_titled_broken"]
    assert (broken.status, broken.severity, broken.failures, broken.failed) == ("fail", "error", 3, True)
    assert broken.query == "select * from audit.assert_no_listing_is_titled_broken"
    assert broken.model == "model.jobspikr.job_listings"  # a singular test: its one parent
    warned = found["accepted_values_cutover_threshold_checks_passed__True"]
    assert (warned.status, warned.severity, warned.failures, warned.failed) == ("warn", "warn", 1, False)
    # a name Postgres keeps only quoted (dbt creates the table quoted)
    assert warned.query == 'select * from audit."accepted_values_cutover_threshold_checks_passed__True"'
    assert warned.model == "model.jobspikr.cutover_threshold_checks"  # a generic test's attached node
    cannot_run = found["assert_that_cannot_run"]
    assert cannot_run.failures is None and cannot_run.failed
    assert cannot_run.error() == 'column "no_such_column" does not exist'
    # failures first
    assert [r.failed for r in results] == [True, True, False, False]


def test_long_test_names_use_the_table_dbt_made() -> None:
    """dbt names a long generic test's table by a hash (its alias), not by the test's name."""
    node = {"name": "relationships_job_listing_matches_left_job_listing_id__job_listing_id__ref_job_listings_",
            "alias": "relationships_job_listing_matc_24dc5d02a4544b9f2fb7abab844b056e", "schema": "audit",
            "config": {"severity": "ERROR", "store_failures": True}, "attached_node": "model.jobspikr.x"}
    run_results = {"results": [{"unique_id": "test.jobspikr.r.24dc5d02a4", "status": "fail", "failures": 2,
                                "message": "Got 2 results, configured to fail if != 0"}]}
    [result] = reported_tests(run_results, {"test.jobspikr.r.24dc5d02a4": node})
    assert result.severity == "error"
    assert result.query == "select * from audit.relationships_job_listing_matc_24dc5d02a4544b9f2fb7abab844b056e"


def test_wording_names_each_failure_and_counts_the_warnings(project: Path) -> None:
    results = read_test_results(project / "target")
    lines = summary_lines(results)
    assert lines[0] == ("FAILED assert_no_listing_is_titled_broken (error severity): 3 failing rows: "
                        "select * from audit.assert_no_listing_is_titled_broken")
    assert lines[1] == ('FAILED assert_that_cannot_run (error severity): could not run: '
                        'column "no_such_column" does not exist')
    assert lines[2].startswith("2 warnings: accepted_values_cutover_threshold_checks_passed__True (warn severity): "
                               "1 failing row: select * from audit.")
    assert "assert_one_odd_value_warns (warn severity): 2 failing rows" in lines[2]
    assert summary_lines([]) == ["all passed, no warnings"]


def test_no_results_from_a_run_that_wrote_none_or_an_older_one(project: Path, tmp_path: Path) -> None:
    assert read_test_results(tmp_path / "nowhere") == []
    old = time.time() - 3600
    os.utime(project / "target" / "run_results.json", (old, old))
    assert read_test_results(project / "target", not_before=time.time() - 60) == []


class FakeTaskInstance:
    """The slice of Airflow's task instance the callback and the alert use."""

    def __init__(self, task: Any = None, xcom: dict[tuple[str, str], Any] | None = None) -> None:
        self.task, self.task_id, self.try_number = task, getattr(task, "task_id", "dbt.dbt_producer_watcher"), 1
        self.xcom = xcom or {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcom[(self.task_id, key)] = json.loads(json.dumps(value))  # as XCom stores it

    def xcom_pull(self, task_ids: str, key: str) -> Any:
        return self.xcom.get((task_ids, key))


def test_the_build_callback_keeps_the_results_and_fails_the_task_naming_the_tests(project: Path) -> None:
    ti = FakeTaskInstance()
    with pytest.raises(DbtTestsFailedError) as raised:
        report_build(str(project), context={"ti": ti})
    assert str(raised.value).startswith("2 dbt tests failed: assert_no_listing_is_titled_broken (error severity): "
                                        "3 failing rows: select * from audit.assert_no_listing_is_titled_broken; ")
    assert str(raised.value).endswith("(and 2 warnings)")
    assert len(ti.xcom[("dbt.dbt_producer_watcher", XCOM_KEY)]) == 4
    # its alert names them, and says where the rows are rather than the load log
    message = alert_message({"ti": ti, "run_id": "r1", "exception": raised.value})
    assert "DbtTestsFailedError: 2 dbt tests failed: assert_no_listing_is_titled_broken" in message
    assert "the audit schema keeps them" in message and "raw.jobspikr_load_log" not in message


def test_warnings_alone_do_not_fail_the_build(project: Path) -> None:
    run_results = json.loads((project / "target" / "run_results.json").read_text())
    run_results["results"] = [r for r in run_results["results"] if r["status"] != "fail" and r["status"] != "error"]
    (project / "target" / "run_results.json").write_text(json.dumps(run_results))
    ti = FakeTaskInstance()
    assert [r.status for r in report_build(str(project), context={"ti": ti})] == ["warn", "warn"]


def test_the_build_callback_reads_where_dbt_target_path_sends_the_artifacts(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    (project / "target").rename(elsewhere)
    monkeypatch.setenv("DBT_TARGET_PATH", str(elsewhere))
    with pytest.raises(DbtTestsFailedError, match="2 dbt tests failed"):
        report_build(str(project), context={"ti": FakeTaskInstance()})


def test_a_node_test_tasks_alert_names_its_own_models_failing_tests(project: Path) -> None:
    producer = FakeTaskInstance()
    with pytest.raises(DbtTestsFailedError):
        report_build(str(project), context={"ti": producer})
    node = SimpleNamespace(task_id="dbt.job_listings.test", producer_task_id="dbt.dbt_producer_watcher",
                           model_unique_id="model.jobspikr.job_listings")
    ti = FakeTaskInstance(node, producer.xcom)
    context = {"ti": ti, "run_id": "r1", "exception": RuntimeError(
        "Tests for model 'model.jobspikr.job_listings' finished with status 'fail'")}
    assert {r.name for r in results_for_task(context)} == {
        "assert_no_listing_is_titled_broken", "assert_that_cannot_run", "assert_one_odd_value_warns"}
    message = alert_message(context)
    assert "finished with status 'fail': 2 dbt tests failed: assert_no_listing_is_titled_broken" in message
    assert "select * from audit.assert_no_listing_is_titled_broken" in message
    # a task outside the dbt group keeps the usual alert
    other = alert_message({"ti": FakeTaskInstance(SimpleNamespace(task_id="extract_load")), "run_id": "r1",
                           "exception": RuntimeError("boom")})
    assert "raw.jobspikr_load_log where airflow_run_id = 'r1'" in other and "dbt test" not in other
