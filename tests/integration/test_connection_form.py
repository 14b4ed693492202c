"""As a user sets up JobsPikr: Airflow's api-server with the project installed, its
connection form in a real headless Chromium. The form offers the JobsPikr type with its own
labels and one field per extra showing the default; the connection it saves is one the hook
accepts as it is."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest
import requests

from devkit.browser import HeadlessChromium
from devkit.scale_out import stop_service
from jobspikr.settings import JobsPikrSettings
from local_stack.airflow_env import LOCAL_DIR
from local_stack.ports import free_port

pytestmark = pytest.mark.integration

AIRFLOW = str(Path(sys.executable).with_name("airflow"))
ARTIFACTS = LOCAL_DIR / "test-artifacts"
DIALOG = "[role=dialog]"


@pytest.fixture
def api_server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A lone api-server on its own SQLite metadata DB (the form needs nothing else)."""
    (tmp_path / "dags").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
    env.update({"AIRFLOW_HOME": str(tmp_path / "home"), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__DAGS_FOLDER": str(tmp_path / "dags"),
                # a throwaway deployment: the UI needs no login (never in production)
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True"})
    subprocess.run([AIRFLOW, "db", "migrate"], env=env, check=True, capture_output=True)
    port = free_port()
    with (tmp_path / "api-server.log").open("w") as log:
        server = subprocess.Popen([AIRFLOW, "api-server", "--port", str(port)], env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while not _healthy(url):
            assert server.poll() is None and time.monotonic() < deadline, \
                (tmp_path / "api-server.log").read_text()[-3000:]
            time.sleep(1)
        yield url, env
    finally:
        stop_service(server)


def _healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/api/v2/monitor/health", timeout=2).ok
    except requests.ConnectionError:
        return False


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_a_jobspikr_connection_made_in_the_ui_form_is_one_the_hook_accepts(
        api_server: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    url, env = api_server
    with HeadlessChromium(tmp_path / "chromium") as browser:
        page = browser.open(f"{url}/connections")
        # The page asks the api-server for the connection types as it loads; the type box
        # drops what is typed before they arrive (slow when the machine is busy).
        page.wait_for("performance.getEntriesByType('resource').some(e => e.name.includes('/connections/hook_meta'))",
                      timeout=120, what="the connection types (hook_meta)")
        page.click("button", "Add Connection", timeout=120)
        page.type_into(f"{DIALOG} input[role=combobox]", "JobsP")
        page.click("[role=option]", "JobsPikr")
        page.wait_for(f"document.querySelector('{DIALOG}').innerText.includes('Base URL')", timeout=30,
                      what="the JobsPikr form")
        labels = page.evaluate(f"document.querySelector('{DIALOG}').innerText")
        assert all(label in labels for label in ("Base URL", "Client ID", "Client auth key"))
        for field, value in [("connection_id", "jobspikr_ui"), ("host", "https://api.jobspikr.com/v2"),
                             ("login", "acme_jp_0123456789"), ("password", "client-auth-key")]:
            page.type_into(f"{DIALOG} input[name={field}]", value)
        page.click(f"{DIALOG} button", "Extra Fields")
        shown = page.wait_for(f"""(() => {{
            const extras = [...document.querySelectorAll('{DIALOG} input[name^=element_]')];
            if (!extras.length || !extras[0].checkVisibility()) return null;
            return Object.fromEntries(extras.map(e => [e.name.slice(8), e.value]));
        }})()""", timeout=30, what="the extra fields")
        defaults = {name: "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
                    for name, value in asdict(JobsPikrSettings()).items()}
        assert shown == defaults   # every extra, showing its default
        time.sleep(0.5)   # the accordion's animation, for the screenshot only
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        print(f"screenshot of the JobsPikr connection form: {page.screenshot(ARTIFACTS / 'connection_form.png')}")
        page.click(f"{DIALOG} button", "Save")
        page.wait_for("document.body.innerText.includes('jobspikr_ui')", timeout=30, what="the saved connection")
    saved = json.loads(subprocess.run([AIRFLOW, "connections", "get", "jobspikr_ui", "-o", "json"], env=env,
                                      check=True, capture_output=True, text=True).stdout)[0]
    assert (saved["conn_type"], saved["host"], saved["login"]) == \
        ("jobspikr", "https://api.jobspikr.com/v2", "acme_jp_0123456789")
    extras = saved["extra_dejson"]
    assert set(extras) == set(defaults)                        # the form saves every field ...
    assert JobsPikrSettings.from_extras(extras) == JobsPikrSettings()   # ... as text, and they parse
