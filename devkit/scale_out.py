"""The scale-out path without Docker: docker-compose.yaml's Airflow services (api-server,
scheduler, dag-processor, triggerer, Celery workers) as separate processes on this machine,
each with the command and environment the file gives it (devkit/compose.py maps
Docker's hosts, paths, ports and image to local ones), with a real Redis broker.

``airflow_services`` does what ``airflow-init`` and the image's entrypoint do (migrate the
metadata database, create the admin user), starts the services, waits for their health
checks and stops them again; in between, trigger runs (from the CLI, or in the UI at
``ui_url``), wait for them, and see how many task workloads each worker received.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg
from cryptography.fernet import Fernet
from psycopg.conninfo import conninfo_to_dict

from devkit.compose import (
    AIRFLOW_SERVICES,
    Endpoint,
    LocalStand,
    Service,
    compose_service,
    env_like_example,
    load_compose,
    local_environment,
    local_health_url,
    mounts_of,
)
from devkit.tcp_forward import tcp_conninfo
from local_stack.airflow_env import PROJECT_ROOT
from local_stack.ports import free_port

DAG_ID = "jobspikr_ingest"
#: The test's own settings, none of which the file sets (``test_settings_never_override_the_file``
#: checks): a queue of its own (Celery workers of another stack on the same Redis would take
#: this stack's tasks and lose them), four task slots per worker (Airflow's default of 16 is
#: more processes than two cores want; at two, the dbt node tasks, which mostly wait on the
#: execution API, queued behind each other), and no run from the DAG's schedule: the runs are
#: the ones the test starts (in the UI, and a backfill), as each run is about eighty Celery
#: tasks, each a process that parses the DAG.
TEST_SETTINGS = {"AIRFLOW__CELERY__WORKER_CONCURRENCY": "4",
                 "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False"}


def postgres_endpoint(conninfo: str) -> Endpoint:
    """A libpq conninfo as the user@host:port/dbname that replaces a compose Postgres's."""
    p = conninfo_to_dict(conninfo)
    password = f":{p['password']}" if p.get("password") else ""
    return Endpoint(f"{p.get('user', 'postgres')}{password}@{p.get('host', '127.0.0.1')}:{p.get('port', 5432)}",
                    f"/{p['dbname']}")


def compose_dot_env(jobspikr_conn: str) -> dict[str, str]:
    """The ``.env`` a user writes from ``.env.example``: fresh secrets, this user's id, the
    JobsPikr connection (here: the stand-in)."""
    return env_like_example({
        "AIRFLOW_UID": str(os.getuid()),
        "AIRFLOW_FERNET_KEY": Fernet.generate_key().decode(),
        "AIRFLOW_JWT_SECRET": secrets.token_urlsafe(64),   # 64+ bytes, as .env.example says
        "_AIRFLOW_WWW_USER_PASSWORD": secrets.token_urlsafe(12),
        "WAREHOUSE_PASSWORD": secrets.token_urlsafe(12),
        "JOBSPIKR_CONN": jobspikr_conn,
        "JOBSPIKR_PERSONAL_DATA_KEY": secrets.token_hex(32),
    })


def machine_environment() -> dict[str, str]:
    """This process's environment without any Airflow or pipeline setting of its own (those
    come from the file only)."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("AIRFLOW", "_AIRFLOW", "JOBSPIKR_", "PYTHONPATH"))}


def local_stand(workdir: Path, compose: Mapping[str, object], *, metadata_conninfo: str, warehouse_conninfo: str,
                broker_url: str) -> LocalStand:
    """Docker's hosts, mounts and ports as this machine's (devkit/compose.py)."""
    broker = broker_url.split("://", 1)[1]
    api_port, scheduler_port = free_port(), free_port()
    common = compose["services"]["airflow-apiserver"]  # type: ignore[index]
    config = workdir / "config"
    shutil.copytree(PROJECT_ROOT / "config", config, dirs_exist_ok=True)
    return LocalStand(
        endpoints={"postgres": postgres_endpoint(metadata_conninfo),
                   "warehouse": postgres_endpoint(warehouse_conninfo),
                   "redis": Endpoint(f":@{broker.split('/', 1)[0]}", f"/{broker.split('/', 1)[1]}"),
                   "airflow-apiserver": Endpoint(f"127.0.0.1:{api_port}")},
        mounts=mounts_of(common["volumes"], PROJECT_ROOT, workdir),
        airflow_home=workdir / "airflow-home",
        ports={"apiserver": api_port, "scheduler": scheduler_port})


def local_args(service: Service, stand: LocalStand, index: int) -> list[str]:
    """The service's command, with the local port (api-server) or the worker's own Celery host
    name (each container has its own host name; these processes share one)."""
    if service.name == "airflow-apiserver":
        return [*service.args, "--port", str(stand.ports["apiserver"])]
    if service.name == "airflow-worker":
        return [*service.args, "--celery-hostname", f"worker{index}@%h"]
    return service.args


def run_init(airflow: str, init: Service, env: dict[str, str]) -> None:
    """What airflow-init asks of the image's entrypoint through its environment: migrate the
    database (``_AIRFLOW_DB_MIGRATE``) and create the admin user (``_AIRFLOW_WWW_USER_CREATE``,
    with the entrypoint's defaults for the other fields). Its script's own steps (folders,
    ``chown``, the dbt manifest) are done by ./pipeline here."""
    if init.environment.get("_AIRFLOW_DB_MIGRATE") == "true":
        subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True)
    if init.environment.get("_AIRFLOW_WWW_USER_CREATE") == "true":
        # "--password=...": a password may start with "-", which argparse would read as an option
        subprocess.run([airflow, "users", "create", "--username", init.environment["_AIRFLOW_WWW_USER_USERNAME"],
                        f"--password={init.environment['_AIRFLOW_WWW_USER_PASSWORD']}", "--firstname", "Airflow",
                        "--lastname", "Admin", "--email", "airflowadmin@example.com", "--role", "Admin"],
                       env=env, check=True, capture_output=True)


def wait_healthy(url: str, *, within: float = 240) -> None:
    """Poll a service's health check URL until it answers 200."""
    deadline = time.monotonic() + within
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (a local http URL)
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not become healthy")
        time.sleep(2)


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
    username: str
    password: str

    def unpause(self, *, within: float = 180) -> None:
        """Unpause the DAG as a user would, once the dag-processor has stored it."""
        deadline = time.monotonic() + within
        while True:
            result = subprocess.run([self.airflow, "dags", "unpause", DAG_ID], env=self.env, capture_output=True,
                                    text=True)
            if result.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"could not unpause {DAG_ID}: {result.stderr[-2000:]}")
            time.sleep(3)

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
        """Every run of the DAG: the triggered ones and the backfills (``TEST_SETTINGS`` turns
        off the runs of the DAG's schedule)."""
        with psycopg.connect(self.metadata_conninfo) as conn:
            return [r[0] for r in conn.execute("select run_id from dag_run where dag_id = %s", (DAG_ID,))]

    def wait(self, run_id: str, *, within: float = 900) -> str:
        return _wait(self.metadata_conninfo, run_id, deadline=time.monotonic() + within)

    def tasks_by_worker(self) -> dict[str, int]:
        """Workload messages each Celery worker received (from its log)."""
        return {name: (self.logs / f"{name}.log").read_text(errors="replace").count("received")
                for name in self.workers}


@contextmanager
def airflow_services(workdir: Path, *, metadata_conninfo: str, warehouse_conninfo: str, broker_url: str,
                     jobspikr_conn: str, workers: int = 2) -> Iterator[AirflowServices]:
    """docker-compose.yaml's Airflow services with ``workers`` Celery workers (``--scale
    airflow-worker=N``), healthy; stopped on exit."""
    with tcp_conninfo(metadata_conninfo) as metadata_tcp, tcp_conninfo(warehouse_conninfo) as warehouse_tcp:
        compose = load_compose(compose_dot_env(jobspikr_conn))
        stand = local_stand(workdir, compose, metadata_conninfo=metadata_tcp, warehouse_conninfo=warehouse_tcp,
                            broker_url=broker_url)
        with _started(workdir, compose, stand, metadata_conninfo, workers) as services:
            yield services


@contextmanager
def _started(workdir: Path, compose: Mapping[str, object], stand: LocalStand, metadata_conninfo: str,
             workers: int) -> Iterator[AirflowServices]:
    airflow = str(Path(sys.executable).with_name("airflow"))
    base = {**machine_environment(), **TEST_SETTINGS,
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": f"scale_out_{secrets.token_hex(4)}"}
    logs = workdir / "process-logs"
    logs.mkdir(parents=True, exist_ok=True)
    init = compose_service(compose, "airflow-init")
    run_init(airflow, init, local_environment(init, stand, base))
    worker_names = [f"worker{n}" for n in range(1, workers + 1)]
    with ExitStack() as stack:
        for name in AIRFLOW_SERVICES:
            service = compose_service(compose, name)
            env = local_environment(service, stand, base)
            for index in range(1, (workers if name == "airflow-worker" else 1) + 1):
                label = f"worker{index}" if name == "airflow-worker" else name.removeprefix("airflow-")
                log_file = stack.enter_context((logs / f"{label}.log").open("w"))
                process = subprocess.Popen([airflow, *local_args(service, stand, index)], env=env, stdout=log_file,
                                           stderr=subprocess.STDOUT, start_new_session=True)
                stack.callback(stop_service, process)
        for name in AIRFLOW_SERVICES:
            url = local_health_url(compose_service(compose, name), stand)
            if url:
                wait_healthy(url)
        cli_env = local_environment(compose_service(compose, "airflow-scheduler"), stand, base)
        yield AirflowServices(airflow, cli_env, metadata_conninfo, f"http://127.0.0.1:{stand.ports['apiserver']}",
                              logs, worker_names, init.environment["_AIRFLOW_WWW_USER_USERNAME"],
                              init.environment["_AIRFLOW_WWW_USER_PASSWORD"])


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
