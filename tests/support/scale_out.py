"""The scale-out path without Docker: the same DAG under the CeleryExecutor, with a real
Redis broker and several Celery workers, as separate processes on this machine (the way
docker compose runs them in containers): api-server, scheduler, dag-processor, triggerer
(the dbt node tasks and the deadline alert defer to it), workers.

``airflow_services`` starts them and stops them again; in between, trigger runs (from the
CLI, or in the UI at ``ui_url``), wait for them, and see how many task workloads each
worker received.
Airflow's metadata lives in a Postgres database (the CeleryExecutor cannot share SQLite
between processes); the connections come from the caller's ``AIRFLOW_CONN_*`` variables.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from local_stack.airflow_env import PROJECT_ROOT
from local_stack.ports import free_port

DAG_ID = "jobspikr_ingest"


def sqlalchemy_url(conninfo: str) -> str:
    """``postgresql+psycopg://`` URL for a libpq conninfo (TCP host or socket directory)."""
    p = conninfo_to_dict(conninfo)
    password = f":{p['password']}" if p.get("password") else ""
    return (f"postgresql+psycopg://{p.get('user', 'postgres')}{password}@/{p['dbname']}"
            f"?host={p.get('host', 'localhost')}&port={p.get('port', 5432)}")


def airflow_env(workdir: Path, metadata_conninfo: str, broker_url: str, api_port: int) -> dict[str, str]:
    url = sqlalchemy_url(metadata_conninfo)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
    env.update({
        "AIRFLOW_HOME": str(workdir / "airflow"),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": url,
        "AIRFLOW__CELERY__BROKER_URL": broker_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{url}",
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
        # A queue of its own: Celery workers of any other stack on the same Redis (another
        # test session, a leftover worker) would otherwise take this stack's tasks and lose them.
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": f"scale_out_{secrets.token_hex(4)}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        # every process must sign and verify task tokens with the same secret
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
        "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "5",
        # a local, throwaway deployment: the UI needs no login (never in production)
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), str(PROJECT_ROOT / "plugins")]),
    })
    return env


@dataclass(frozen=True)
class TaskInstanceRow:
    run_id: str
    task_id: str
    state: str | None
    try_number: int
    start_date: datetime | None
    end_date: datetime | None


@dataclass
class AirflowServices:
    """Running Airflow services: trigger runs and wait for them; ``ui_url`` is the api-server."""

    airflow: str
    env: dict[str, str]
    metadata_conninfo: str
    ui_url: str
    logs: Path
    workers: list[str]

    def trigger(self, logical_date: str, *, within: float = 180) -> str:
        return _trigger(self.airflow, self.env, logical_date, deadline=time.monotonic() + within)

    def backfill(self, from_date: str, to_date: str) -> list[str]:
        """``airflow backfill create`` for the intervals in ``[from_date, to_date]``; the run ids
        the scheduler made for it."""
        subprocess.run([self.airflow, "backfill", "create", "--dag-id", DAG_ID, "--from-date", from_date,
                        "--to-date", to_date], env=self.env, check=True, capture_output=True)
        with psycopg.connect(self.metadata_conninfo) as conn:
            return [r[0] for r in conn.execute(
                "select run_id from dag_run where dag_id = %s and run_type = 'backfill' order by logical_date",
                (DAG_ID,))]

    def task_instances(self, run_ids: list[str]) -> list[TaskInstanceRow]:
        """Every task instance of those runs, by start time."""
        with psycopg.connect(self.metadata_conninfo) as conn:
            rows = conn.execute(
                "select run_id, task_id, state, try_number, start_date, end_date from task_instance "
                "where dag_id = %s and run_id = any(%s) order by start_date", (DAG_ID, run_ids)).fetchall()
        return [TaskInstanceRow(*row) for row in rows]

    def wait_for_task(self, run_id: str, task_id: str, *, within: float = 300) -> str | None:
        """Wait until that task of that run has finished; its state (None if it did not in time)."""
        return self._first_value("select state from task_instance where dag_id = %s and run_id = %s"
                                 " and task_id = %s and end_date is not null", (DAG_ID, run_id, task_id),
                                 within=within, every=2)

    def running_task(self, task_id: str, *, within: float = 300) -> str | None:
        """Wait until some run has that task running; that run's id (None if none did in time)."""
        return self._first_value("select run_id from task_instance where dag_id = %s and task_id = %s"
                                 " and state = 'running'", (DAG_ID, task_id), within=within, every=1)

    def _first_value(self, query: str, params: tuple[str, ...], *, within: float, every: float) -> str | None:
        """Poll the metadata database every ``every`` seconds until ``query`` returns a row;
        its first value (None if none came within ``within`` seconds)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            with psycopg.connect(self.metadata_conninfo) as conn:
                row = conn.execute(query, params).fetchone()
            if row:
                return str(row[0])
            time.sleep(every)
        return None

    def run_ids(self) -> list[str]:
        """Every run of the DAG: the scheduler's own (catchup=False still makes the latest
        interval's), the triggered ones and the backfills."""
        with psycopg.connect(self.metadata_conninfo) as conn:
            return [r[0] for r in conn.execute("select run_id from dag_run where dag_id = %s", (DAG_ID,))]

    def wait(self, run_id: str, *, within: float = 900) -> str:
        return _wait(self.metadata_conninfo, run_id, deadline=time.monotonic() + within)

    def tasks_by_worker(self) -> dict[str, int]:
        """Workload messages each Celery worker received (from its log)."""
        return {name: (self.logs / f"{name}.log").read_text(errors="replace").count("received")
                for name in self.workers}


@contextmanager
def airflow_services(workdir: Path, metadata_conninfo: str, *, broker_url: str,
                     workers: int = 2) -> Iterator[AirflowServices]:
    """Start api-server, scheduler, dag-processor, triggerer and ``workers`` Celery workers;
    stop them on exit."""
    airflow = str(Path(sys.executable).with_name("airflow"))
    api_port = free_port()
    env = airflow_env(workdir, metadata_conninfo, broker_url, api_port)
    logs = workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True)
    services = {"api-server": ["api-server", "--port", str(api_port)], "scheduler": ["scheduler"],
                "dag-processor": ["dag-processor"], "triggerer": ["triggerer"]}
    worker_names = [f"worker{n}" for n in range(1, workers + 1)]
    services.update({name: ["celery", "worker", "--celery-hostname", f"{name}@%h"] for name in worker_names})
    with ExitStack() as stack:
        for name, args in services.items():
            log_file = stack.enter_context((logs / f"{name}.log").open("w"))
            process = subprocess.Popen([airflow, *args], env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                       start_new_session=True)
            stack.callback(stop_service, process)
        yield AirflowServices(airflow, env, metadata_conninfo, f"http://127.0.0.1:{api_port}", logs, worker_names)


def _trigger(airflow: str, env: dict[str, str], logical_date: str, *, deadline: float) -> str:
    """Trigger once the dag-processor has stored the DAG (until then the CLI cannot find it)."""
    run_id = f"scale_out__{logical_date}"
    while True:
        result = subprocess.run([airflow, "dags", "trigger", DAG_ID, "--logical-date", logical_date,
                                 "--run-id", run_id], env=env, capture_output=True, text=True)
        if result.returncode == 0:
            return run_id
        if time.monotonic() > deadline:
            raise RuntimeError(f"could not trigger {DAG_ID}: {result.stderr[-2000:]}")
        time.sleep(3)


def _wait(metadata_conninfo: str, run_id: str, *, deadline: float) -> str:
    while time.monotonic() < deadline:
        with psycopg.connect(metadata_conninfo) as conn:
            row = conn.execute("select state from dag_run where dag_id = %s and run_id = %s",
                               (DAG_ID, run_id)).fetchone()
        if row and row[0] in ("success", "failed"):
            return str(row[0])
        time.sleep(5)
    return "timed out"


def stop_service(process: subprocess.Popen[bytes]) -> None:
    """Stop a service and everything it started (workers fork task processes)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
