"""One clear alert per failed task: what failed, in which run, and where to look.

Every alert is logged on ``jobspikr.alerts`` (for log-based alerting, and ``./pipeline
run`` shows it at once) and sent through the Airflow notifiers whose connection exists:

- ``jobspikr_alerts_smtp`` (type SMTP): an e-mail by the SMTP provider's ``SmtpNotifier`` to
  the connection's extra ``to`` (comma-separated), from its extra ``from_email``;
- ``jobspikr_alerts_apprise`` (type Apprise): the Apprise provider's ``AppriseNotifier``
  (Slack, Teams, a webhook... whatever the connection's Apprise URLs name).

A notifier that cannot send is logged and never hides the alert or fails the callback.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Iterator
from typing import Any

from jobspikr_pipeline.dbt_test_results import (
    AUDIT_SCHEMA,
    DbtTestsFailedError,
    TestResult,
    failure_message,
    results_for_task,
)

log = logging.getLogger("jobspikr.alerts")

SMTP_CONN_ID = "jobspikr_alerts_smtp"
APPRISE_CONN_ID = "jobspikr_alerts_apprise"


def alert_message(context: dict[str, Any]) -> str:
    ti = context.get("task_instance") or context.get("ti")
    run_id = context.get("run_id", "?")
    exc = context.get("exception")
    task = getattr(ti, "task_id", "?")
    try_number = getattr(ti, "try_number", "?")
    failure = f"{type(exc).__name__ if exc else 'error'}: {str(exc).rstrip('.')}"
    failed_tests = _failed_dbt_tests(context)
    if isinstance(exc, DbtTestsFailedError) or failed_tests:
        if failed_tests:  # a dbt node's task, which only watched the build: say what it saw
            failure += f": {failure_message(failed_tests)}"
        look_at = (f"Look at: each test's failing rows with the query above (the {AUDIT_SCHEMA} schema keeps "
                   "them until the test runs again); docs/troubleshooting.md, \"A dbt test failed\". "
                   "Models downstream of a failed test were not rebuilt and serve their last good build.")
    else:
        look_at = (f"Look at: the task log in the Airflow UI; "
                   f"raw.jobspikr_load_log where airflow_run_id = '{run_id}'; raw.jobspikr_rejects. "
                   "Marts keep serving the last good build; the next healthy run resumes from the watermarks.")
    return f"JobsPikr pipeline: task {task!r} of run {run_id!r} failed (try {try_number}): {failure}. {look_at}"


def _failed_dbt_tests(context: dict[str, Any]) -> list[TestResult]:
    """The failing tests a dbt node's task watched fail in the build (none for other tasks);
    a lookup that fails must not cost the alert."""
    if isinstance(context.get("exception"), DbtTestsFailedError):
        return []  # its message names them already
    try:
        return [t for t in results_for_task(context) if t.failed]
    except Exception as exc:  # noqa: BLE001 - the alert goes out without the tests
        log.warning("JobsPikr pipeline: could not read the dbt test results for the alert: %s: %s",
                    type(exc).__name__, exc)
        return []


def on_failure_alert(context: dict[str, Any]) -> None:
    """Airflow ``on_failure_callback``: log the alert at ERROR and send it."""
    message = alert_message(context)
    log.error(message)
    ti = context.get("task_instance") or context.get("ti")
    send_alert(f"JobsPikr pipeline: {getattr(ti, 'task_id', 'a task')} failed", message, context)


def gap_alert(message: str) -> None:
    """A load that succeeded with days short of JobsPikr's count (``on_incomplete=warn``):
    alerted like a failure, at WARNING, while the run goes on."""
    log.warning("JobsPikr pipeline: %s", message)
    send_alert("JobsPikr pipeline: a load succeeded with gaps", f"JobsPikr pipeline: {message}", {})


def warn_nothing_fetched(message: str) -> None:
    """A load that fetched no record at all: a warning, with the window it asked for, so
    a first load that looked in the wrong place does not pass as a quiet success."""
    log.warning("JobsPikr pipeline: %s", message)


def warn_endpoint_missing(message: str) -> None:
    """An optional JobsPikr API the account or the connection's setting does not reach (the
    expired jobs API's path is not public): a warning, logged only, as the run goes on
    without it. Not sent through the notifiers: it would repeat every day until the
    setting changes, and nothing downstream fails for it."""
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
    """Airflow deadline callback (runs in the triggerer): log the alert at ERROR and send it."""
    message = deadline_message(context, deadline)
    log.error(message)
    await asyncio.to_thread(send_alert, "JobsPikr pipeline: a run is late", message, context or {})


def send_alert(subject: str, message: str, context: dict[str, Any]) -> int:
    """Send the alert through every configured notifier; returns how many sent it."""
    sent = 0
    for name, notifier in _configured_notifiers(subject, message):
        try:
            # notify(), not the notifier's __call__: the message is final text, and its braces
            # or percent signs must not be read as a template.
            notifier.notify(context)
            sent += 1
        except Exception as exc:  # noqa: BLE001 - a broken channel must not hide the alert
            log.warning("JobsPikr pipeline: could not send the alert through %s: %s: %s",
                        name, type(exc).__name__, exc)
    return sent


def _configured_notifiers(subject: str, message: str) -> Iterator[tuple[str, Any]]:
    smtp = _connection(SMTP_CONN_ID)
    if smtp is not None:
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        extra = smtp.extra_dejson
        recipients = [a.strip() for a in str(extra.get("to", "")).split(",") if a.strip()]
        if recipients:
            yield SMTP_CONN_ID, SmtpNotifier(
                to=recipients, from_email=extra.get("from_email"), subject=subject,
                html_content=f"<pre>{html.escape(message)}</pre>", smtp_conn_id=SMTP_CONN_ID)
        else:
            log.warning("JobsPikr pipeline: connection %s has no extra 'to' (comma-separated addresses); "
                        "no e-mail sent", SMTP_CONN_ID)
    if _connection(APPRISE_CONN_ID) is not None:
        from airflow.providers.apprise.notifications.apprise import AppriseNotifier

        yield APPRISE_CONN_ID, AppriseNotifier(body=message, title=subject, apprise_conn_id=APPRISE_CONN_ID)


def _connection(conn_id: str) -> Any | None:
    """The connection, or None when it is not configured (alerts then go to the log only)."""
    from airflow.sdk import BaseHook

    try:
        return BaseHook.get_connection(conn_id)
    except Exception:  # noqa: BLE001 - AirflowNotFoundException, or no way to reach the secrets
        return None
