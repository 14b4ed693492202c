"""The dbt project as Airflow tasks, with astronomer-cosmos in its watcher execution mode.

One producer task runs a single ``dbt build`` of the whole project (dbt's own threads, one
dbt start-up); every model, seed and its tests then shows as its own task, reporting that
node's result and log from the build. A failed node's task fails on its own, and its retry
runs ``dbt`` for just that node. Cosmos' default (local) mode instead starts dbt once per
node: on two cores that made a DAG run five minutes instead of one.

DAG parsing must not run dbt, so Cosmos reads the graph from a manifest written ahead of
time by ``dbt parse`` (``python -m jobspikr_pipeline.dbt_graph``; ``./pipeline`` does it
when the project changes, the compose ``airflow-init`` service at start-up). At run time
each task builds its dbt profile from the ``warehouse_default`` connection, with the same
mapping as every other dbt command (``jobspikr_pipeline.dbt.warehouse_profile``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from airflow.sdk import TriggerRule
from cosmos import DbtTaskGroup, ExecutionConfig, ProjectConfig, RenderConfig
from cosmos.constants import PRODUCER_WATCHER_TASK_ID, ExecutionMode, LoadMode, TestBehavior

from jobspikr_pipeline.dbt import (
    DBT_PROJECT_DIR,
    NOT_IN_PRODUCTION,
    DbtError,
    dbt_executable,
    dbt_invocation,
    dbt_session_options,
    warehouse_profile,
)
from jobspikr_pipeline.dbt_test_results import report_build

#: Where ``dbt parse`` writes the manifest Cosmos reads (apart from target/, which every dbt
#: invocation rewrites).
MANIFEST_DIR = DBT_PROJECT_DIR / "target" / "airflow"
MANIFEST_PATH = MANIFEST_DIR / "manifest.json"
#: dbt session settings for every task, as for every other dbt command (jobspikr_pipeline.dbt).
DBT_TASK_ENV = {"PGOPTIONS": dbt_session_options()}


def write_manifest() -> Path:
    """``dbt parse`` into MANIFEST_DIR. Needs no database: the profile holds placeholders,
    only the project is read."""
    with dbt_invocation(["parse", "--target-path", str(MANIFEST_DIR)], conn_id=None) as (command, env):
        result = subprocess.run(command, env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True,
                                check=False)
    if result.returncode != 0:
        raise DbtError(f"dbt parse failed:\n{result.stdout[-3000:]}{result.stderr[-2000:]}")
    return MANIFEST_PATH


def dbt_task_group(group_id: str, *, conn_id: str, after: Any, **task_group_args: Any) -> Any:
    """A Cosmos ``DbtTaskGroup`` for the whole project against ``conn_id``, run after the
    task ``after``."""
    if not MANIFEST_PATH.exists():
        raise DbtError(f"{MANIFEST_PATH} is missing: run `python -m jobspikr_pipeline.dbt_graph` "
                       "(dbt parse) before the DAG is parsed; ./pipeline does it for you")
    group = DbtTaskGroup(
        group_id=group_id,
        project_config=ProjectConfig(dbt_project_path=DBT_PROJECT_DIR, manifest_path=MANIFEST_PATH,
                                     project_name="jobspikr"),
        profile_config=warehouse_profile(conn_id),
        execution_config=ExecutionConfig(execution_mode=ExecutionMode.WATCHER,
                                         dbt_executable_path=dbt_executable()),
        # The watcher mode reports each node's tests as a task after the node; a test that
        # reads several models (the balance tests) gets its own task after all of them.
        render_config=RenderConfig(load_method=LoadMode.DBT_MANIFEST, test_behavior=TestBehavior.AFTER_EACH,
                                   should_detach_multiple_parents_tests=True, emit_datasets=False,
                                   exclude=list(NOT_IN_PRODUCTION)),
        # After each dbt invocation (the build, a node's retry), before Cosmos judges its exit
        # code: name the failing tests, their rows and queries, and keep them for the summary.
        operator_args={"env": DBT_TASK_ENV, "install_deps": False, "callback": report_build},
        **task_group_args,
    )
    _order_after_the_build(group, after)
    return group


def _order_after_the_build(group: Any, after: Any) -> None:
    """Run the group after ``after``, and its node tasks after the producer's ``dbt build``.

    Cosmos leaves the nodes with no parent in the project unconnected to the producer in a
    task group, so they may start while the build runs and wait for their node's result.
    Where tasks run one at a time (``dag.test()``: the demo and the tests), a node task that
    starts first waits for a build that cannot start; and when ``after`` fails, they wait
    for a build that will never run. So those node tasks follow both ``after`` and the
    producer, with ``all_done_min_one_success``: when the build fails, every node still
    reports its own result (a failed node's retry runs dbt for that node alone); when
    ``after`` failed, nothing in the group runs and the marts keep the last good build.
    The producer has no retries (Cosmos skips a second build); retries are per node.
    """
    producer = group.children[f"{group.group_id}.{PRODUCER_WATCHER_TASK_ID}"]
    producer.retries = 0
    for task in group.get_roots():
        after >> task
        if task is not producer:
            producer >> task
            task.trigger_rule = TriggerRule.ALL_DONE_MIN_ONE_SUCCESS

if __name__ == "__main__":
    print(f"wrote {write_manifest()}", file=sys.stderr)
