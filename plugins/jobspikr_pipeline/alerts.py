"""One clear alert per failed task: what failed, in which run, and where to look."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("jobspikr.alerts")


def alert_message(context: dict[str, Any]) -> str:
    ti = context.get("task_instance") or context.get("ti")
    run_id = context.get("run_id", "?")
    exc = context.get("exception")
    task = getattr(ti, "task_id", "?")
    try_number = getattr(ti, "try_number", "?")
    return (
        f"JobsPikr pipeline: task {task!r} of run {run_id!r} failed (try {try_number}): "
        f"{type(exc).__name__ if exc else 'error'}: {str(exc).rstrip('.')}. "
        f"Look at: the task log in the Airflow UI; "
        f"raw.jobspikr_load_log where airflow_run_id = '{run_id}'; raw.jobspikr_rejects. "
        "Marts keep serving the last good build; the next healthy run resumes from the watermarks."
    )


def on_failure_alert(context: dict[str, Any]) -> None:
    """Airflow ``on_failure_callback``: log the alert at ERROR for the log-based alerting to pick up."""
    log.error(alert_message(context))


def gap_alert(message: str) -> None:
    """A load that succeeded with days short of JobsPikr's count (``on_incomplete=warn``):
    alerted on the same logger as a failure, at WARNING, while the run goes on."""
    log.warning("JobsPikr pipeline: %s", message)


def deadline_message(context: dict[str, Any] | None, deadline: str) -> str:
    dag_run = (context or {}).get("dag_run")
    run_id = getattr(dag_run, "run_id", None) or (context or {}).get("run_id", "?")
    return (
        f"JobsPikr pipeline: run {run_id!r} of jobspikr_ingest has not finished {deadline} after it was "
        "queued. Look at: which task is running or queued in the Airflow UI (a slow or rate-limited "
        "JobsPikr, see docs/troubleshooting.md); raw.jobspikr_load_log for the extraction's progress. "
        "The marts still serve the last good build."
    )


async def on_deadline_missed(context: dict[str, Any] | None = None, *, deadline: str = "in time", **_: Any) -> None:
    """Airflow deadline callback (runs in the triggerer): log the alert at ERROR."""
    log.error(deadline_message(context, deadline))
