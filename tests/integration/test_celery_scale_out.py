"""As a user would run it: docker-compose.yaml's Airflow services (api-server, scheduler,
dag-processor, triggerer, two Celery workers) as separate processes, each with the command and
environment the file gives it (devkit/compose.py: only Docker's hosts, paths, ports and
image are mapped), a real Redis broker; logged in to Airflow's UI in a real headless Chromium
with the admin the file creates, the DAG unpaused, triggered and watched, unchanged from the
single-process runs, with a backfill of a past interval beside it. A setting the file lacks
(the shared JWT secret, say) fails here as it would in the containers."""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import psycopg
import pytest
from cosmos.constants import PRODUCER_WATCHER_TASK_ID

from devkit.browser import HeadlessChromium, Page
from devkit.scale_out import DAG_ID, TaskInstanceRow, airflow_services
from devkit.suite import temporary_database
from local_stack.airflow_env import LOCAL_DIR
from standin_api import StandinServer

pytestmark = pytest.mark.integration

REDIS = ("127.0.0.1", 6379)
#: Screenshots land here, to look at after the test run.
ARTIFACTS = LOCAL_DIR / "test-artifacts"
CLICK_TRIGGER = """(() => {
    const buttons = [...document.querySelectorAll('button')]
        .filter(b => b.innerText.trim() === 'Trigger' && !b.disabled);
    if (!buttons.length) return false;
    buttons[buttons.length - 1].click();   // the page's button, then the dialog's
    return true;
})()"""


def redis_running() -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(REDIS) == 0


@pytest.fixture
def metadata_db(postgres_admin: str) -> Iterator[str]:
    """A Postgres database for Airflow's metadata (the CeleryExecutor cannot share SQLite)."""
    with temporary_database(postgres_admin, "airflow_meta") as conninfo:
        yield conninfo


def log_in(page: Page, ui_url: str, username: str, password: str) -> None:
    """Sign in on the auth manager's login page (FAB's form, as the file configures it)."""
    page.navigate(f"{ui_url}/auth/login/")
    page.wait_for("!!document.querySelector('input[name=password]')", timeout=120, what="the login form")
    page.evaluate(f"""(() => {{
        const form = document.querySelector('input[name=password]').form;
        form.username.value = {json.dumps(username)};
        form.password.value = {json.dumps(password)};
        form.submit();
        return true;
    }})()""")
    page.wait_for("!location.pathname.startsWith('/auth/login')", timeout=60, what="signed in")


def manual_runs(metadata_conninfo: str) -> list[str]:
    with psycopg.connect(metadata_conninfo) as conn:
        return [r[0] for r in conn.execute("select run_id from dag_run where dag_id = %s and run_type = 'manual'",
                                           (DAG_ID,))]


def assert_overlapping_runs_ran_each_task_once_at_a_time(instances: list[TaskInstanceRow]) -> None:
    """The runs were active at the same time, yet no task ran in both at once, and nothing
    failed on a first try (two dbt builds at once did: "relation already exists")."""
    assert {(ti.state, ti.try_number) for ti in instances} == {("success", 1)}, \
        [(ti.run_id, ti.task_id, ti.state, ti.try_number) for ti in instances if ti.try_number != 1]
    spans: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for ti in instances:
        assert ti.start_date and ti.end_date
        if works_in_the_warehouse(ti.task_id):
            spans[ti.task_id].append((ti.start_date, ti.end_date))
    assert f"dbt.{PRODUCER_WATCHER_TASK_ID}" in spans and "extract_load" in spans
    assert [task for task, times in spans.items() if overlap(times)] == []
    runs: dict[str, list[datetime]] = defaultdict(list)
    for ti in instances:
        runs[ti.run_id] += [ti.start_date, ti.end_date]
    assert overlap([(min(times), max(times)) for times in runs.values()]), \
        "the runs did not overlap, so this showed nothing"


def works_in_the_warehouse(task_id: str) -> bool:
    """Whether two runs' instances of the task would collide if they ran at once. Not the dbt
    node tasks of the watcher mode: each waits, deferred, for its own run's build to report its
    node, and a deferred task does not count against ``max_active_tis_per_dag``, so two runs'
    may wait at once; the build itself (the producer task) runs one at a time."""
    return not task_id.startswith("dbt.") or task_id == f"dbt.{PRODUCER_WATCHER_TASK_ID}"


def overlap(spans: list[tuple[datetime, datetime]]) -> bool:
    """Whether any two of the (start, end) spans overlap."""
    ordered = sorted(spans)
    return any(later[0] < earlier[1] for earlier, later in pairwise(ordered))


@pytest.mark.slow("docker-compose.yaml's six Airflow services and a browser; two DAG runs on two Celery "
                  "workers, each task a process of its own")
@pytest.mark.skipif(not redis_running(), reason="no Redis at 127.0.0.1:6379 (the Celery broker)")
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_triggered_in_the_ui_the_dag_succeeds_on_two_celery_workers(
        metadata_db: str, warehouse: str, standin: StandinServer, tmp_path: Path) -> None:
    broker = f"redis://{REDIS[0]}:{REDIS[1]}/{random.randint(1, 15)}"
    with airflow_services(tmp_path / "airflow", metadata_conninfo=metadata_db, warehouse_conninfo=warehouse,
                          broker_url=broker, jobspikr_conn=os.environ["AIRFLOW_CONN_JOBSPIKR_DEFAULT"],
                          workers=2) as services, HeadlessChromium(tmp_path / "chromium") as browser:
        page = browser.open("about:blank")
        log_in(page, services.ui_url, services.username, services.password)
        services.unpause()   # the file creates DAGs paused (DAGS_ARE_PAUSED_AT_CREATION)
        page.navigate(f"{services.ui_url}/dags/{DAG_ID}")
        page.wait_for(f"document.body.innerText.includes('{DAG_ID}')", timeout=180, what="the DAG in the UI")
        # The UI's run is held in its extract (the stand-in answers slowly but never fails)
        # until a backfill of a past interval has run its first task beside it: a backfill as a
        # user starts it from the CLI runs beside the DAG's own runs whatever its
        # max_active_runs. So two runs overlap, whatever the machine's speed; their tasks must not.
        with standin.holding():
            page.wait_for(CLICK_TRIGGER, timeout=60, what="the Trigger button")
            page.wait_for("document.body.innerText.includes('Trigger Dag') || document.querySelectorAll("
                          "'[role=dialog]').length > 0", timeout=30, what="the trigger dialog")
            page.wait_for(CLICK_TRIGGER, timeout=30, what="the dialog's Trigger button")
            deadline = time.monotonic() + 60
            while not (runs := manual_runs(metadata_db)) and time.monotonic() < deadline:
                time.sleep(1)
            assert runs, "clicking Trigger in the UI created no DAG run"
            # Off the DAG's page while the runs go: its grid polls the api-server every few seconds
            # and a software-rendering browser redrew it, about a third of the test's CPU.
            page.navigate("about:blank")
            assert services.running_task("extract_load"), "no run reached its extract"
            backfilled = services.backfill("2026-11-22", "2026-11-23")  # the run whose interval ends in the range
            assert len(backfilled) == 1, backfilled
            assert services.wait_for_task(backfilled[0], "migrate_raw_schema") == "success"
        state = services.wait(runs[0])
        logs = {p.name: p.read_text(errors="replace")[-1500:] for p in services.logs.glob("*.log")}
        assert state == "success", logs
        page.navigate(f"{services.ui_url}/dags/{DAG_ID}/runs/{runs[0]}")
        page.wait_for("document.body.innerText.toLowerCase().includes('success')", timeout=60,
                      what="the run shown as success")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = page.screenshot(ARTIFACTS / "airflow_ui_run.png")
        print(f"screenshot of the successful run in Airflow's UI: {shot}")
        every_run = services.run_ids()
        assert sorted(every_run) == sorted([runs[0], *backfilled]), every_run
        assert {run: services.wait(run) for run in every_run} == dict.fromkeys(every_run, "success")
        assert_overlapping_runs_ran_each_task_once_at_a_time(services.task_instances(every_run))
        received = services.tasks_by_worker()
    assert len(received) == 2 and all(n > 0 for n in received.values()), received   # both workers ran tasks
    catalogue = standin.config.catalogue
    with psycopg.connect(warehouse) as conn:
        raw = [r[0] for r in conn.execute("select uniq_id from raw.jobspikr_jobs")]
        listed = conn.execute("select count(*) from marts.job_listing_records where source = 'jobspikr'").fetchone()[0]
    assert sorted(raw) == sorted(catalogue.record(i)["uniq_id"] for i in range(catalogue.size))
    assert listed == catalogue.size
