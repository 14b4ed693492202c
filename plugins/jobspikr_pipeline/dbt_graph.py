"""The dbt project as Airflow tasks, with astronomer-cosmos: one task per model, seed and
snapshot (each running `dbt build` on its node, so its tests run with it), with the
task's own retries and log in the Airflow UI.

DAG parsing must not run dbt, so Cosmos reads the graph from a manifest written ahead of
time by ``dbt parse`` (``python -m jobspikr_pipeline.dbt_graph``; ``./pipeline`` does it
when the project changes, the compose ``airflow-init`` service at start-up). At run time
each task builds its dbt profile from the ``warehouse_default`` connection.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import LoadMode, TestBehavior, TestIndirectSelection
from cosmos.profiles import PostgresUserPasswordProfileMapping

from jobspikr_pipeline.dbt import DBT_PROJECT_DIR, DbtError, dbt_executable

#: Where ``dbt parse`` writes the manifest Cosmos reads (apart from target/, which every dbt
#: invocation rewrites).
MANIFEST_DIR = DBT_PROJECT_DIR / "target" / "airflow"
MANIFEST_PATH = MANIFEST_DIR / "manifest.json"
#: dbt session settings for every task (see jobspikr_pipeline.dbt.warehouse_env).
DBT_TASK_ENV = {"PGOPTIONS": "-c jit=off"}


class WarehouseProfileMapping(PostgresUserPasswordProfileMapping):
    """Cosmos' Postgres profile from an Airflow connection, also for a connection without a
    password (trust or peer authentication, a local socket), as the embedded warehouse is."""

    required_fields = ["host", "user", "dbname"]  # noqa: RUF012 (as the base class declares it)

    def get_dbt_value(self, name: str) -> Any:
        value = super().get_dbt_value(name)
        return "" if name == "password" and value is None else value


def write_manifest() -> Path:
    """``dbt parse`` into MANIFEST_DIR. Needs no database: the profile's variables are
    placeholders, only the project is read."""
    env = {**os.environ, "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR), "WAREHOUSE_HOST": "parse-only",
           "WAREHOUSE_USER": "parse-only", "WAREHOUSE_DBNAME": "parse-only"}
    result = subprocess.run([dbt_executable(), "parse", "--project-dir", str(DBT_PROJECT_DIR),
                             "--target-path", str(MANIFEST_DIR)],
                            env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise DbtError(f"dbt parse failed:\n{result.stdout[-3000:]}{result.stderr[-2000:]}")
    return MANIFEST_PATH


def dbt_task_group(group_id: str, *, conn_id: str, **task_group_args: Any) -> Any:
    """A Cosmos ``DbtTaskGroup`` for the whole project against ``conn_id``."""
    if not MANIFEST_PATH.exists():
        raise DbtError(f"{MANIFEST_PATH} is missing: run `python -m jobspikr_pipeline.dbt_graph` "
                       "(dbt parse) before the DAG is parsed; ./pipeline does it for you")
    return DbtTaskGroup(
        group_id=group_id,
        project_config=ProjectConfig(dbt_project_path=DBT_PROJECT_DIR, manifest_path=MANIFEST_PATH,
                                     project_name="jobspikr"),
        profile_config=ProfileConfig(
            profile_name="jobspikr", target_name="warehouse",
            profile_mapping=WarehouseProfileMapping(conn_id=conn_id, profile_args={"schema": "analytics"})),
        # A node's task runs only the tests on that node ("cautious"); a test that reads
        # several models (the balance tests) gets its own task after all of them.
        execution_config=ExecutionConfig(dbt_executable_path=dbt_executable(),
                                         test_indirect_selection=TestIndirectSelection.CAUTIOUS),
        render_config=RenderConfig(load_method=LoadMode.DBT_MANIFEST, test_behavior=TestBehavior.BUILD,
                                   should_detach_multiple_parents_tests=True, emit_datasets=False),
        operator_args={"env": DBT_TASK_ENV, "install_deps": False},
        **task_group_args,
    )


if __name__ == "__main__":
    print(f"wrote {write_manifest()}", file=sys.stderr)
