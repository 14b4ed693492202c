"""Access to the warehouse Postgres through its Airflow connection (``WAREHOUSE_CONN_ID``).

Nothing here knows whether the server is the embedded one or a real one: the connection
(``AIRFLOW_CONN_WAREHOUSE_DEFAULT`` or a secrets backend) is the only source of truth.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from airflow.providers.postgres.hooks.postgres import PostgresHook

from jobspikr_pipeline.connections import WAREHOUSE_CONN_ID


@contextmanager
def warehouse_connection(conn_id: str = WAREHOUSE_CONN_ID) -> Iterator[psycopg.Connection]:
    """A psycopg 3 connection in explicit-transaction mode, closed on exit."""
    conn = PostgresHook(postgres_conn_id=conn_id).get_conn()
    if not isinstance(conn, psycopg.Connection):
        raise RuntimeError("the Postgres provider did not return a psycopg 3 connection; "
                           "install psycopg[binary] 3 with SQLAlchemy 2")
    try:
        conn.autocommit = True  # transactions are opened explicitly with conn.transaction()
        yield conn
    finally:
        conn.close()
