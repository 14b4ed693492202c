"""What every benchmark needs: a warehouse database, a stand-in API process, and children
whose peak RSS is measured by the kernel (``wait4``), not estimated."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from local_stack import embedded_warehouse
from local_stack.airflow_env import LOCAL_DIR, PROJECT_ROOT
from local_stack.ports import free_port

BENCH_ENV = {**os.environ, "PYTHONPATH": f"{PROJECT_ROOT}:{PROJECT_ROOT / 'plugins'}"}


@dataclass(frozen=True)
class ChildResult:
    output: dict[str, object]
    peak_rss_mb: float
    seconds: float


#: The benchmark-only environment (dlt, matplotlib), made by ``./pipeline bench``.
BENCH_PYTHON = PROJECT_ROOT / ".venv-bench" / "bin" / "python"


def run_child(module: str, *args: str, env: dict[str, str] | None = None,
              python: Path | str = sys.executable) -> ChildResult:
    """Run ``python -m module args``; its last stdout line is JSON. Peak RSS from the kernel."""
    started = time.perf_counter()
    proc = subprocess.Popen([str(python), "-m", module, *args], stdout=subprocess.PIPE,
                            env=env or BENCH_ENV, cwd=PROJECT_ROOT, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{module} failed (exit {proc.returncode}):\n{out[-2000:]}")
    return ChildResult(json.loads(out.strip().splitlines()[-1]), usage.ru_maxrss / 1024,
                       time.perf_counter() - started)


@contextmanager
def postgres_admin() -> Iterator[str]:
    """``JOBSPIKR_BENCH_POSTGRES`` (a superuser conninfo) if set, else the embedded server."""
    with embedded_warehouse.postgres_admin("JOBSPIKR_BENCH_POSTGRES", LOCAL_DIR / "pgdata-bench") as admin:
        yield admin


def fresh_database(admin: str, name: str) -> str:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')
    return make_conninfo(admin, dbname=name)


def project_load(admin: str, dbname: str, jobspikr_conn: str, records: int) -> tuple[str, ChildResult]:
    """This project's extract-and-load (``devkit/extract_load.py``) of the stand-in behind
    ``jobspikr_conn`` into a fresh database ``dbname``, in a child process; checks that all
    ``records`` landed. Returns the database's conninfo and the child's result."""
    dsn = fresh_database(admin, dbname)
    env = {**BENCH_ENV, "AIRFLOW_CONN_JOBSPIKR_DEFAULT": jobspikr_conn,
           "AIRFLOW_CONN_WAREHOUSE_DEFAULT": embedded_warehouse.airflow_conn_json(dsn)}
    loaded = run_child("devkit.extract_load", dsn, env=env)
    assert loaded.output["inserted"] == records, loaded.output
    return dsn, loaded


@contextmanager
def standin_process(records: int, *, latency_ms: int = 0, preload: bool = True,
                    real_rows: bool = False) -> Iterator[str]:
    """The stand-in API in its own process (its CPU and memory are not the loader's); yields its URL."""
    port = free_port()
    args = [sys.executable, "-m", "standin_api", "--port", str(port), "--records", str(records),
            "--anchor", "2026-11-20", "--days", "14", "--latency-ms", str(latency_ms),
            "--credits", str(10 * records)]
    with ExitStack() as stack:
        flags = [*(["--preload"] if preload else []), *(["--real-rows"] if real_rows else [])]
        proc = stack.enter_context(subprocess.Popen([*args, *flags],
                                                    stdout=subprocess.PIPE, text=True, env=BENCH_ENV,
                                                    cwd=PROJECT_ROOT))
        assert proc.stdout is not None
        line = proc.stdout.readline()  # printed once the catalogue is ready
        if "stand-in on" not in line:
            raise RuntimeError(f"stand-in did not start: {line!r}")
        try:
            yield f"http://127.0.0.1:{port}/v2"
        finally:
            proc.terminate()


def write_result(name: str, text: str) -> Path:
    path = Path(__file__).parent / "results" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path
