"""A self-contained Airflow home inside the project (``.local/airflow``, git-ignored).

Defaults only: any ``AIRFLOW__*`` variable the user already set wins.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
LOCAL_DIR = PROJECT_ROOT / ".local"


def airflow_settings(home: Path) -> dict[str, str]:
    """The project's Airflow settings, as ``AIRFLOW__SECTION__KEY`` names."""
    return {
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


def configure_airflow_env(home: Path = LOCAL_DIR / "airflow") -> Path:
    """Point Airflow at this project's dags/plugins and a SQLite metadata DB; call before importing airflow.

    The same settings are written to the home's ``airflow.cfg``, so a plain ``airflow``
    command with ``AIRFLOW_HOME=.local/airflow`` (the README's UI and CLI instructions)
    finds the DAG, shows no examples and sends no usage data.
    """
    openlineage_events_path(home).parent.mkdir(parents=True, exist_ok=True)
    ensure_personal_data_key()
    settings = airflow_settings(home)
    write_airflow_cfg(home / "airflow.cfg", settings)
    for key, value in settings.items():
        os.environ.setdefault(key, value)
    for path in (str(PROJECT_ROOT), str(PROJECT_ROOT / "plugins")):
        if path not in sys.path:
            sys.path.insert(0, path)
    return home


def ensure_personal_data_key(path: Path = LOCAL_DIR / "personal_data.key") -> None:
    """This machine's key for contact-field pseudonyms (docs/personal-data.md), unless
    ``JOBSPIKR_PERSONAL_DATA_KEY`` is set: made once, kept in ``.local`` (git-ignored, owner
    only). A deployment sets the variable itself, the same on every worker."""
    if not os.environ.get("JOBSPIKR_PERSONAL_DATA_KEY"):
        os.environ["JOBSPIKR_PERSONAL_DATA_KEY"] = local_secret(path)


def local_secret(path: Path) -> str:
    """A random secret kept in ``path`` (owner only, under the git-ignored ``.local``), made
    on first use: this machine's keys and passwords."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


AIRFLOW_CFG_HEADER = ("# Written by ./pipeline from local_stack/airflow_env.py (rewritten when it changes);\n"
                      "# set AIRFLOW__SECTION__KEY variables for your own settings, they win over this file.\n")


def write_airflow_cfg(path: Path, settings: dict[str, str]) -> None:
    """``settings`` as an ``airflow.cfg`` (Airflow adds its defaults for the rest); written
    only when different, so a running Airflow never sees the file change under it."""
    sections: dict[str, list[str]] = {}
    for name, value in settings.items():
        if not name.startswith("AIRFLOW__"):
            continue  # AIRFLOW_HOME is where the file is, not a setting in it
        _, section, key = name.split("__", 2)
        # a literal % in an ini value must be doubled (configparser interpolation)
        sections.setdefault(section.lower(), []).append(f"{key.lower()} = {value.replace('%', '%%')}")
    text = AIRFLOW_CFG_HEADER + "".join(f"\n[{section}]\n" + "\n".join(lines) + "\n"
                                        for section, lines in sections.items())
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def openlineage_events_path(home: Path) -> Path:
    """The file the local stack's OpenLineage events are appended to, one JSON per line."""
    return home / "openlineage" / "events.jsonl"


@contextmanager
def metadata_db_migrating() -> Iterator[None]:
    """``airflow db migrate`` in a subprocess while the block runs; done when the block
    ends, its failure raised then. Idempotent, but about 5 s even when the schema is
    current (Airflow imported once more), so ``./pipeline run`` starts the warehouse and the
    API meanwhile. The block must not use the metadata database."""
    airflow = Path(sys.executable).with_name("airflow")
    process = subprocess.Popen([str(airflow), "db", "migrate"], stdout=subprocess.DEVNULL)
    try:
        yield
    except BaseException:
        process.kill()
        process.wait()
        raise
    if process.wait():
        raise subprocess.CalledProcessError(process.returncode, process.args)


def ensure_metadata_db() -> None:
    """``airflow db migrate``, waited for."""
    with metadata_db_migrating():
        pass


def run_dag_in_process(dag: Any, **kwargs: Any) -> Any:
    """``dag.test(**kwargs)`` for in-process runs (the demo, the tests); returns the DagRun.

    Airflow 3.3.2's ``dag.test()`` fails when a run of a DAG with a deadline alert ends: it
    looks the alert up by the id only a serialized DAG has. The scheduler is not affected
    (the scale-out test runs the DAG, deadline included, through it), so in-process runs
    leave the deadline out.

    ``dag.test()`` also polls once a second while no task is ready, and marks a failure's
    downstream tasks ``upstream_failed`` one level per poll: a failed extract left the run
    spinning ("No tasks to run. unrunnable tasks") for a second per level of the dbt graph
    (minutes on a slow machine) before it ended. Its poll is made 50 ms; every other sleep
    (the hook's backoff, the rate limit, other threads) is untouched.
    """
    dag.deadline = None
    with _quick_dag_test_polls():
        return dag.test(**kwargs)


@contextmanager
def _quick_dag_test_polls(poll: float = 0.05) -> Iterator[None]:
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        caller = sys._getframe(1).f_globals.get("__name__")
        real_sleep(min(seconds, poll) if caller == "airflow.sdk.definitions.dag" else seconds)

    time.sleep = sleep
    try:
        yield
    finally:
        time.sleep = real_sleep
