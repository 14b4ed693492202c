"""Every DAG imports cleanly, fast and offline; tasks retry; the graph has no cycles."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from airflow.dag_processing.dagbag import DagBag
from airflow.utils.dag_cycle_tester import check_cycle

ROOT = Path(__file__).resolve().parents[1]
DAGS_DIR = ROOT / "dags"
#: In a fresh interpreter, as a Celery worker of docker-compose.yaml starts: Celery imports
#: the ``imports`` of the configured settings; then, as in each task process forked from the
#: worker, Airflow loads its plugins and parses the DAG folder. Prints the modules the task
#: process had to import itself.
TASK_PROCESS_IMPORTS = """
import importlib, json, sys
from airflow.providers.celery.executors.celery_executor_utils import get_celery_configuration
for module in get_celery_configuration()["imports"]:
    importlib.import_module(module)
before = set(sys.modules)
from airflow import plugins_manager
from airflow.dag_processing.dagbag import DagBag
plugins_manager.ensure_plugins_loaded()
assert DagBag(sys.argv[1]).dags
print(json.dumps({name: getattr(module, "__file__", None) for name, module in sys.modules.items()
                  if name not in before}))
"""


@pytest.fixture(scope="module")
def dagbag() -> DagBag:
    return DagBag(dag_folder=str(DAGS_DIR))


def test_every_dag_imports_without_errors(dagbag: DagBag) -> None:
    assert dagbag.import_errors == {}
    assert "jobspikr_ingest" in dagbag.dags


def test_no_dag_has_a_cycle(dagbag: DagBag) -> None:
    for dag in dagbag.dags.values():
        check_cycle(dag)


def test_every_task_has_retries(dagbag: DagBag) -> None:
    no_retries = [f"{dag_id}.{task.task_id}" for dag_id, dag in dagbag.dags.items()
                  for task in dag.tasks if not task.retries]
    # Cosmos' producer runs the one `dbt build`; a retry would only be skipped, so retries are
    # per node (each node task re-runs dbt for its node).
    assert no_retries == ["jobspikr_ingest.dbt.dbt_producer_watcher"]


def test_no_task_runs_twice_at_once_across_runs(dagbag: DagBag) -> None:
    """Backfill runs overlap (the DAG's max_active_runs does not bind them); its tasks must
    not: two dbt builds at once collide, two extracts double the API rate."""
    dag = dagbag.dags["jobspikr_ingest"]
    unbounded = [t.task_id for t in dag.tasks if t.max_active_tis_per_dag != 1]
    assert unbounded == []


def test_ingest_task_order(dagbag: DagBag) -> None:
    dag = dagbag.dags["jobspikr_ingest"]
    assert dag.get_task("migrate_raw_schema").downstream_task_ids == {"extract_load", "fetch_expirations"}
    assert dag.get_task("extract_load").downstream_task_ids == {"archive_stale_listings", "check_jobspikr_freshness"}
    # expirations are fetched beside the extract, and dbt waits for both (through the archive)
    assert dag.get_task("fetch_expirations").downstream_task_ids == {"archive_stale_listings"}
    assert dag.get_task("archive_stale_listings").upstream_task_ids == {"extract_load", "fetch_expirations"}
    # retention reduces old versions before dbt reads raw
    assert dag.get_task("apply_personal_data_retention").upstream_task_ids == {"archive_stale_listings"}
    dbt_tasks = {t.task_id for t in dag.tasks if t.task_id.startswith("dbt.")}
    # every model, seed, snapshot, its tests and each multi-model test is its own task (Cosmos)
    assert {"dbt.stg_jobspikr__jobs.run", "dbt.stg_jobspikr__jobs.test", "dbt.job_listings.run",
            "dbt.source_flags.seed", "dbt.assert_every_record_is_staged_or_quarantined_test"} <= dbt_tasks
    producer = dag.get_task("dbt.dbt_producer_watcher")
    assert producer.upstream_task_ids == {"apply_personal_data_retention"}
    assert "resource_type:unit_test" in producer.exclude  # the suite runs dbt's unit tests, not each run
    # the project's first nodes report after the one dbt build, and only when the extract succeeded
    first = dag.get_task("dbt.stg_jobspikr__jobs.run")
    assert first.upstream_task_ids == {"apply_personal_data_retention", "dbt.dbt_producer_watcher"}
    assert first.trigger_rule == "all_done_min_one_success"
    assert "report_cutover" in dag.get_task("dbt.job_listings.test").get_flat_relative_ids(upstream=False)
    # the balance test waits for every model it reads
    assert {"dbt.job_listing_records.test", "dbt.int_job_records__unioned.test"} <= \
        dag.get_task("dbt.assert_every_record_is_staged_or_quarantined_test").upstream_task_ids
    # The freshness check must run when the extract failed: that is when data goes stale.
    assert dag.get_task("check_jobspikr_freshness").trigger_rule == "all_done"


def test_every_task_alerts_on_failure(dagbag: DagBag) -> None:
    for task in dagbag.dags["jobspikr_ingest"].tasks:
        assert task.on_failure_callback, task.task_id


def test_a_celery_task_process_imports_neither_cosmos_nor_the_pipeline_nor_plugins_as_bare_modules() -> None:
    """Each task of a Celery worker is a process forked from it that loads the plugins and
    parses the DAG file: a heavy module the worker did not preload
    (``jobspikr_pipeline/celery_worker.py``) costs every task its import, and a file of
    ``plugins/`` the plugin loader executes (``plugins/.airflowignore``) runs again as a
    top-level module of its bare name (``dbt``, ``settings``)."""
    compose = yaml.safe_load((ROOT / "docker-compose.yaml").read_text())
    config = compose["x-airflow-common"]["environment"]["AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS"]
    result = subprocess.run([sys.executable, "-c", TASK_PROCESS_IMPORTS, str(DAGS_DIR)], capture_output=True,
                            text=True, check=True, env={**os.environ, "AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS": config})
    imported: dict[str, str | None] = json.loads(result.stdout.splitlines()[-1])
    heavy = [name for name in imported if name.split(".")[0] in ("cosmos", "fastapi", "jobspikr", "jobspikr_pipeline")]
    assert heavy == []
    plugins = str(ROOT / "plugins")
    assert [name for name, file in imported.items() if file and file.startswith(plugins)] == []


def test_parsing_does_no_network_or_database_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Import-time code must not connect anywhere: any socket connect fails the parse."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"DAG parsing opened a connection: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    bag = DagBag(dag_folder=str(DAGS_DIR))
    assert bag.import_errors == {}


def test_a_late_run_raises_the_deadline_alert(dagbag: DagBag, caplog: pytest.LogCaptureFixture) -> None:
    import asyncio

    from jobspikr_pipeline.alerts import on_deadline_missed

    deadline = dagbag.dags["jobspikr_ingest"].deadline
    alert = deadline[0] if isinstance(deadline, list) else deadline
    assert alert.interval.total_seconds() == 3 * 3600
    assert alert.callback.path == "jobspikr_pipeline.alerts.on_deadline_missed"
    with caplog.at_level("ERROR", logger="jobspikr.alerts"):
        asyncio.run(on_deadline_missed({"run_id": "scheduled__2026-11-26"}, **alert.callback.kwargs))
    assert "run 'scheduled__2026-11-26' of jobspikr_ingest has not finished 3 hours after it was queued" \
        in caplog.text


def test_marts_are_assets_a_downstream_dag_is_scheduled_on(dagbag: DagBag) -> None:
    ingest = dagbag.dags["jobspikr_ingest"]
    assert {a.name for a in ingest.get_task("extract_load").outlets} == {"raw.jobspikr_jobs"}
    produced = {a.name for a in ingest.get_task("report_cutover").outlets}
    assert {"marts.job_listings", "marts.job_listing_records"} <= produced
    downstream = dagbag.dags["marts_refreshed"]
    consumed = {asset.name for asset in downstream.timetable.asset_condition.objects}
    assert consumed == {"marts.job_listings", "marts.job_listing_records"}


def test_the_schedule_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOBSPIKR_INGEST_SCHEDULE", "30 5 * * 1-5")
    dag = DagBag(dag_folder=str(DAGS_DIR / "jobspikr_ingest.py")).dags["jobspikr_ingest"]
    assert dag.timetable.expression == "30 5 * * 1-5"
