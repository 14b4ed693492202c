"""Checks before a run starts: a connection that cannot be parsed or a server that cannot be
reached is one line saying which and why, in seconds, not a traceback minutes into a run."""

from __future__ import annotations

import requests


class SetupError(Exception):
    """A set-up problem the user must fix; its message is the one line shown."""


def check_warehouse() -> None:
    """The warehouse connection parses and its Postgres answers."""
    from jobspikr_pipeline.connections import WAREHOUSE_CONN_ID
    from jobspikr_pipeline.warehouse import warehouse_connection

    try:
        with warehouse_connection(WAREHOUSE_CONN_ID) as conn:
            conn.execute("select 1")
    except Exception as exc:
        raise SetupError(f"the warehouse (connection {WAREHOUSE_CONN_ID}, AIRFLOW_CONN_WAREHOUSE_DEFAULT) "
                         f"cannot be used: {_first_line(exc)}") from exc


def check_api() -> None:
    """The JobsPikr connection parses (host, credentials, extras) and its host answers HTTP
    (any status: the credentials are the run's to check, with their own clear error)."""
    from jobspikr.hook import JobsPikrHook

    try:
        hook = JobsPikrHook()
    except Exception as exc:
        raise SetupError(f"the JobsPikr connection (jobspikr_default, AIRFLOW_CONN_JOBSPIKR_DEFAULT) "
                         f"cannot be used: {_first_line(exc)}") from exc
    try:
        requests.get(hook.primary, timeout=(hook.settings.connect_timeout, hook.settings.read_timeout))
    except requests.RequestException as exc:
        if hook.backup is None:
            raise SetupError(f"the JobsPikr API at {hook.primary} cannot be reached: {_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")
