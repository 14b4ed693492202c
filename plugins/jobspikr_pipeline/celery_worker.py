"""The Celery workers' settings: Airflow's, plus the modules every task imports, imported once
when a worker starts (docker-compose.yaml sets ``AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS`` to
``CELERY_CONFIG``).

A Celery worker runs each task in a process forked from itself, and that process parses the
DAG file before it runs the task. Airflow's worker has not imported Cosmos, the pipeline's
modules or the task runner, so every task imported them anew: about a second of CPU per task,
and a run of ``jobspikr_ingest`` is some eighty tasks. Imported in the worker, they are
inherited by each fork. Celery imports ``imports`` in the worker's main process, before it
forks its pool; the scheduler and the api-server read this dict too, but import nothing from it.
"""

from __future__ import annotations

from typing import Any

from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG

#: What parsing ``dags/`` and starting a task import, in a worker that has not imported them.
PRELOADED = (
    "airflow.sdk.execution_time.task_runner",
    "airflow.dag_processing.dagbag",
    "cosmos",
    "cosmos.operators.watcher",
    "cosmos.plugin.airflow3",
    "jobspikr_pipeline.dbt_graph",
    "jobspikr_pipeline.alerts",
    "jobspikr_pipeline.assets",
)

CELERY_CONFIG: dict[str, Any] = {**DEFAULT_CELERY_CONFIG, "imports": PRELOADED}
