"""Run dbt against the warehouse named by an Airflow connection.

dbt lives in its own virtual environment (docs/architecture.md says why): this module finds its
executable, gives it the warehouse's dbt profile and streams its output into the task log.

The profile has one mapping from the Airflow connection, ``warehouse_profile``: Cosmos'
Postgres profile mapping, which the DAG's Cosmos task group (``dbt_graph.py``) uses too.
Cosmos writes the profile without the password (a ``profiles.yml`` in its cache, reading
the password from an environment variable it sets); the password is never on the command
line or in a file.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cosmos import ProfileConfig
from cosmos.profiles import PostgresUserPasswordProfileMapping

from jobspikr_pipeline import PROJECT_ROOT
from jobspikr_pipeline.connections import WAREHOUSE_CONN_ID
from jobspikr_pipeline.dbt_test_results import failure_message, read_test_results, target_path

log = logging.getLogger(__name__)

DBT_PROJECT_DIR = Path(os.environ.get("JOBSPIKR_DBT_PROJECT_DIR", PROJECT_ROOT / "dbt_project"))


#: What every production ``dbt build`` leaves out: dbt's unit tests. They check the models' SQL
#: on fixed inputs, so they say something new only when the SQL changes, which is when the test
#: suite runs them (``tests/integration/test_dbt_models.py``); dbt's docs recommend running them
#: in development and CI only. In a build each also runs before the model it tests, on the
#: run's critical path.
NOT_IN_PRODUCTION = ("resource_type:unit_test",)


class DbtError(RuntimeError):
    pass


def build_args(*args: str, exclude: tuple[str, ...] = ()) -> list[str]:
    """The arguments of a production ``dbt build`` with ``args``: ``exclude`` and
    ``NOT_IN_PRODUCTION`` left out."""
    return ["build", *args, "--exclude", *exclude, *NOT_IN_PRODUCTION]


def dbt_executable() -> str:
    """``$DBT_EXECUTABLE``, else the project's ``.venv-dbt``, else ``dbt`` on PATH."""
    candidates = [os.environ.get("DBT_EXECUTABLE"), str(PROJECT_ROOT / ".venv-dbt" / "bin" / "dbt"),
                  shutil.which("dbt")]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    raise DbtError("dbt executable not found: set DBT_EXECUTABLE or run ./pipeline once to create .venv-dbt")


class WarehouseProfileMapping(PostgresUserPasswordProfileMapping):
    """Cosmos' Postgres profile from an Airflow connection, also for a connection without a
    password (trust or peer authentication, a local socket), as the embedded warehouse is."""

    required_fields = ["host", "user", "dbname"]  # noqa: RUF012 (as the base class declares it)

    def get_dbt_value(self, name: str) -> Any:
        value = super().get_dbt_value(name)
        return "" if name == "password" and value is None else value

    @property
    def mock_profile(self) -> dict[str, Any]:
        """Placeholders for commands that only read the project (``dbt parse``); dbt-postgres
        wants a password even then."""
        return {**super().mock_profile, "password": "mock_value"}


def warehouse_profile(conn_id: str) -> ProfileConfig:
    """The dbt profile ``jobspikr`` (target ``warehouse``, schema ``analytics``, 4 threads)
    for the warehouse behind ``conn_id``: the one mapping from the connection to dbt, for
    ``run_dbt`` and for the Cosmos task group. The connection is read only when the profile
    is written, so building this needs no database."""
    return ProfileConfig(profile_name="jobspikr", target_name="warehouse",
                         profile_mapping=WarehouseProfileMapping(
                             conn_id=conn_id, profile_args={"schema": "analytics", "threads": 4}))


def dbt_session_options() -> str:
    """The Postgres settings of every dbt session (libpq passes ``PGOPTIONS`` on).

    JIT off: it spends longer compiling the models' queries than running them.
    ``work_mem`` (``JOBSPIKR_DBT_WORK_MEM``, default 256MB): a full
    refresh's candidate pairs and scored pairs are hashed and kept in memory; at Postgres'
    4MB default they spill to disk on a large warehouse (bench/results/findings.md).
    """
    return f"-c jit=off -c work_mem={os.environ.get('JOBSPIKR_DBT_WORK_MEM', '256MB')}"


@contextmanager
def dbt_invocation(args: list[str], *, conn_id: str | None,
                   ) -> Iterator[tuple[list[str], dict[str, str]]]:
    """The command line and environment for ``dbt <args>`` against ``conn_id`` (``None``:
    placeholder credentials, for commands that only read the project, as ``dbt parse``);
    the profile exists while the context is open.

    ``--profile`` and ``--target`` are named as Cosmos names them for the DAG's build: dbt
    hashes them into its partial-parse state, so the build can reuse what the freshness
    check parsed just before it (else each re-parses the whole project)."""
    profile = warehouse_profile(conn_id or WAREHOUSE_CONN_ID)
    with profile.ensure_profile(use_mock_values=conn_id is None) as (profile_path, secret_env):
        env = {**os.environ, **secret_env, "PGOPTIONS": dbt_session_options()}
        yield [dbt_executable(), *args, "--project-dir", str(DBT_PROJECT_DIR),
               "--profiles-dir", str(profile_path.parent),
               "--profile", profile.profile_name, "--target", profile.target_name], env


def run_dbt(args: list[str], *, conn_id: str) -> str:
    """Run ``dbt <args>`` in the project; return its output, raise ``DbtError`` on failure,
    naming first the tests that failed (with their rows and queries) when tests did."""
    started = time.time()
    with dbt_invocation(args, conn_id=conn_id) as (command, env):
        log.info("running %s", " ".join(command))
        result = subprocess.run(command, env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True,
                                check=False)
    for line in result.stdout.splitlines():
        log.info("dbt: %s", line)
    if result.returncode != 0:
        lines = result.stdout.splitlines()
        failures = [line for line in lines if any(w in line for w in ("ERROR", "FAIL", "Failure", "Error"))]
        tail = "\n".join([*failures[:20], "...", *lines[-12:], *result.stderr.splitlines()[-10:]])
        tests = read_test_results(target_path(DBT_PROJECT_DIR), not_before=started)
        why = f"{failure_message(tests)}\n" if any(t.failed for t in tests) else ""
        raise DbtError(f"dbt {' '.join(args)} failed (exit {result.returncode}): {why}\n{tail}")
    return result.stdout
