"""OpenLineage around one block of a test process.

The suite runs with OpenLineage off (``AIRFLOW__OPENLINEAGE__DISABLED``, tests/conftest.py):
its emission forks a process per task event, about a quarter of an in-process DAG run. The
tests that read the events turn it on around their runs with ``openlineage_emitting``, as a
deployment has it: the provider's own listener on Airflow's listener managers. (Under
pytest the provider reads its settings afresh on every call.)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from local_stack.airflow_env import openlineage_events_path

DISABLED = "AIRFLOW__OPENLINEAGE__DISABLED"


@contextmanager
def openlineage_emitting() -> Iterator[Path]:
    """OpenLineage on while the block runs (unless it was on already); yields the file the
    events are appended to."""
    from airflow.listeners.listener import get_listener_manager as dag_listeners
    from airflow.providers.openlineage.plugins.listener import OpenLineageListener, get_openlineage_listener
    from airflow.sdk.listener import get_listener_manager as task_listeners

    before = os.environ.get(DISABLED)
    os.environ[DISABLED] = "false"
    listener = get_openlineage_listener()
    added = [manager for manager in (dag_listeners(), task_listeners())
             if not any(isinstance(p, OpenLineageListener) for p in manager.pm.get_plugins())]
    for manager in added:
        manager.add_listener(listener)
    try:
        yield openlineage_events_path(Path(os.environ["AIRFLOW_HOME"]))
    finally:
        for manager in added:
            manager.pm.unregister(listener)
        if before is None:
            del os.environ[DISABLED]
        else:
            os.environ[DISABLED] = before
