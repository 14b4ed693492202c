"""The Airflow commands of docs/operations.md, run as a user types them: a plain ``airflow`` with
``AIRFLOW_HOME=.local/airflow`` and none of the ``AIRFLOW__*`` variables ``./pipeline``
sets, so only the home's ``airflow.cfg`` (written by ``./pipeline``) tells Airflow where the
DAGs are."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from local_stack.airflow_env import LOCAL_DIR, PROJECT_ROOT, airflow_settings, write_airflow_cfg

pytestmark = pytest.mark.integration

HOME = LOCAL_DIR / "airflow"
AIRFLOW = str(Path(sys.executable).with_name("airflow"))


def airflow(*args: str) -> str:
    """``AIRFLOW_HOME=.local/airflow .venv/bin/airflow ARGS`` in a user's shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env["AIRFLOW_HOME"] = ".local/airflow"
    done = subprocess.run([AIRFLOW, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_readme_airflow_home_finds_the_dag_shows_no_examples_and_sends_no_usage_data() -> None:
    write_airflow_cfg(HOME / "airflow.cfg", airflow_settings(HOME))  # what every ./pipeline command does
    airflow("db", "migrate")
    listed = json.loads(airflow("dags", "list", "--local", "--output", "json").strip().splitlines()[-1])
    dag_ids = {row["dag_id"] for row in listed}
    assert dag_ids == {"jobspikr_ingest", "marts_refreshed"}  # the project's, and no example DAGs
    assert airflow("config", "get-value", "core", "load_examples").strip() == "False"
    assert airflow("config", "get-value", "cosmos", "enable_telemetry").strip() == "False"
    assert airflow("dags", "list-import-errors", "--local").strip().endswith("No data found")
