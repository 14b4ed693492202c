"""A self-contained Airflow home inside the project (``.local/airflow``, git-ignored).

Defaults only: any ``AIRFLOW__*`` variable the user already set wins.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
LOCAL_DIR = PROJECT_ROOT / ".local"


def configure_airflow_env(home: Path = LOCAL_DIR / "airflow") -> Path:
    """Point Airflow at this project's dags/plugins and a SQLite metadata DB; call before importing airflow."""
    openlineage_events_path(home).parent.mkdir(parents=True, exist_ok=True)
    defaults = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        # Cosmos would report usage to a third party on every task; not from our machines.
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        # Lineage (OpenLineage events from Cosmos' dbt tasks) to a local file; a deployment
        # points this at its lineage server instead (README: Lineage).
        "AIRFLOW__OPENLINEAGE__NAMESPACE": "jobspikr",
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(
            {"type": "file", "log_file_path": str(openlineage_events_path(home)), "append": True}),
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    for path in (str(PROJECT_ROOT), str(PROJECT_ROOT / "plugins")):
        if path not in sys.path:
            sys.path.insert(0, path)
    return home


def openlineage_events_path(home: Path) -> Path:
    """The file the local stack's OpenLineage events are appended to, one JSON per line."""
    return home / "openlineage" / "events.jsonl"


def ensure_metadata_db() -> None:
    """``airflow db migrate`` (idempotent; quick when the schema is current)."""
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, stdout=subprocess.DEVNULL)


def run_dag_in_process(dag: Any, **kwargs: Any) -> Any:
    """``dag.test(**kwargs)`` for in-process runs (the demo, the tests); returns the DagRun.

    Airflow 3.3.2's ``dag.test()`` fails when a run of a DAG with a deadline alert ends: it
    looks the alert up by the id only a serialized DAG has. The scheduler is not affected
    (the scale-out test runs the DAG, deadline included, through it), so in-process runs
    leave the deadline out.
    """
    dag.deadline = None
    return dag.test(**kwargs)
