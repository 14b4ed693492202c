"""The image's Python environment, built from the Dockerfile's own install commands, imports
the DAGs without errors: a pin the Dockerfile lacks, or one that moves Airflow, shows here.

No Docker engine here: the Dockerfile's RUN steps are read from it and run into fresh
virtual environments under ``tmp_path`` with python3.11 (the Python the Dockerfile's base
image tag names), ``pip install`` as ``uv pip install`` with the same arguments (the
project's ``./pipeline`` installs with uv too; uv's cache makes a rebuild take seconds, a
first one a few minutes). What the base image adds beyond Airflow itself (its other
providers) is not in this environment; the Dockerfile's command must bring what the DAGs use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from devkit.image import local_command, local_path, read_dockerfile
from local_stack.airflow_env import PROJECT_ROOT

pytestmark = pytest.mark.integration

UV = str(Path(sys.executable).with_name("uv"))
IMPORT_DAGS = """
import json, sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
print(json.dumps({"dags": sorted(bag.dag_ids), "errors": bag.import_errors}))
"""


def python_version(dockerfile_args: dict[str, str]) -> str:
    """The interpreter for the image's Python: the one its base image tag names."""
    return f"python{dockerfile_args['PYTHON_VERSION']}"


def test_the_images_environment_imports_the_dags(tmp_path: Path) -> None:
    dockerfile = read_dockerfile()
    python = python_version(dockerfile.args)
    image = tmp_path / "image"
    subprocess.run([python, "-m", "venv", str(image)], check=True)
    for step in dockerfile.runs:
        command = local_command(step, dockerfile, tmp_path / "build", image_python=image / "bin" / "python",
                                python=python, uv=UV)
        subprocess.run(command, check=True, capture_output=True, text=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AIRFLOW", "PYTHONPATH", "DBT_"))}
    env.update({key: local_path(value, dockerfile, tmp_path / "build") for key, value in dockerfile.env.items()})
    env.update({"AIRFLOW_HOME": str(tmp_path / "airflow-home"), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins")})
    result = subprocess.run([str(image / "bin" / "python"), "-c", IMPORT_DAGS, str(PROJECT_ROOT / "dags")],
                            env=env, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    bag = json.loads(result.stdout.strip().splitlines()[-1])
    assert bag["errors"] == {}
    assert "jobspikr_ingest" in bag["dags"]
    versions = subprocess.run([UV, "pip", "list", "--python", str(image / "bin" / "python"), "--format", "json"],
                              check=True, capture_output=True, text=True).stdout
    installed = {p["name"]: p["version"] for p in json.loads(versions)}
    assert installed["apache-airflow"] == dockerfile.args["AIRFLOW_VERSION"]
    assert (tmp_path / "build" / "opt" / "airflow" / "dbt-venv" / "bin" / "dbt").exists()
