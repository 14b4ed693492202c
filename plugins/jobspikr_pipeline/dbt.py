"""Run dbt against the warehouse named by an Airflow connection.

dbt lives in its own virtual environment (see the README): this module finds its
executable, hands it the warehouse credentials through environment variables that
``dbt_project/profiles.yml`` reads (never on the command line, never in a file), and
streams its output into the task log.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

from airflow.sdk.bases.hook import BaseHook

from jobspikr_pipeline import PROJECT_ROOT

log = logging.getLogger(__name__)

DBT_PROJECT_DIR = Path(os.environ.get("JOBSPIKR_DBT_PROJECT_DIR", PROJECT_ROOT / "dbt_project"))


class DbtError(RuntimeError):
    pass


def dbt_executable() -> str:
    """``$DBT_EXECUTABLE``, else the project's ``.venv-dbt``, else ``dbt`` on PATH."""
    candidates = [os.environ.get("DBT_EXECUTABLE"), str(PROJECT_ROOT / ".venv-dbt" / "bin" / "dbt"),
                  shutil.which("dbt")]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    raise DbtError("dbt executable not found: set DBT_EXECUTABLE or run ./pipeline once to create .venv-dbt")


def warehouse_env(conn_id: str) -> dict[str, str]:
    """The ``WAREHOUSE_*`` variables profiles.yml reads, from the Airflow connection."""
    conn = BaseHook.get_connection(conn_id)
    return {
        "WAREHOUSE_HOST": conn.host or "localhost",
        "WAREHOUSE_PORT": str(conn.port or 5432),
        "WAREHOUSE_USER": conn.login or "postgres",
        "WAREHOUSE_PASSWORD": conn.password or "",
        "WAREHOUSE_DBNAME": conn.schema or "postgres",
        "PGOPTIONS": dbt_session_options(),
    }


def dbt_session_options() -> str:
    """The Postgres settings of every dbt session (libpq passes ``PGOPTIONS`` on).

    JIT off: it spent longer compiling the models' queries than running them (0.5 s of a
    0.8 s statement). ``work_mem`` (``JOBSPIKR_DBT_WORK_MEM``, default 256MB): a full
    refresh's candidate pairs and scored pairs are hashed and kept in memory; at Postgres'
    4MB default they spilled 10 GB to disk at 1M records.
    """
    return f"-c jit=off -c work_mem={os.environ.get('JOBSPIKR_DBT_WORK_MEM', '256MB')}"


def dbt_invocation(args: list[str], *, conn_id: str) -> tuple[list[str], dict[str, str]]:
    """The command line and environment for ``dbt <args>`` against ``conn_id``."""
    env = {**os.environ, **warehouse_env(conn_id), "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)}
    return [dbt_executable(), *args, "--project-dir", str(DBT_PROJECT_DIR)], env


def run_dbt(args: list[str], *, conn_id: str) -> str:
    """Run ``dbt <args>`` in the project; return its output, raise ``DbtError`` on failure."""
    command, env = dbt_invocation(args, conn_id=conn_id)
    log.info("running %s", " ".join(command))
    result = subprocess.run(command, env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True,
                            check=False)
    for line in result.stdout.splitlines():
        log.info("dbt: %s", line)
    if result.returncode != 0:
        lines = result.stdout.splitlines()
        failures = [line for line in lines if any(w in line for w in ("ERROR", "FAIL", "Failure", "Error"))]
        tail = "\n".join([*failures[:20], "...", *lines[-12:], *result.stderr.splitlines()[-10:]])
        raise DbtError(f"dbt {' '.join(args)} failed (exit {result.returncode}):\n{tail}")
    return result.stdout
