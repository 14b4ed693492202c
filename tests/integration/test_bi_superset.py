"""A real BI tool on the marts: Superset as ``./pipeline bi`` starts it (its own environment,
the dashboard imported from ``bi/superset/``), logged in to the warehouse as a member of
``bi_reader``; headless Chromium opens the dashboard."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from devkit.browser import HeadlessChromium
from devkit.hand_checked import land_hand_checked_set
from devkit.suite import ARTIFACTS, build, per_worker
from local_stack.airflow_env import LOCAL_DIR
from local_stack.bi import SupersetSite, api_session, running_bi
from local_stack.ports import free_port

pytestmark = pytest.mark.integration

#: The dashboard's own chart data requests that answered, from the browser's resource timing.
CHART_REQUESTS = ("performance.getEntriesByType('resource')"
                  ".filter(e => e.name.includes('/api/v1/chart/data') && e.responseStatus === 200).length")
RENDERED = """(() => {
  const holders = Array.from(document.querySelectorAll('.dashboard-component-chart-holder'));
  return holders.length === 6 && holders.every(
    h => h.querySelector('canvas') || h.querySelectorAll('table tbody tr').length > 0);
})()"""


@pytest.fixture
def superset(warehouse: str) -> Iterator[SupersetSite]:
    land_hand_checked_set(warehouse)
    build()
    with psycopg.connect(warehouse, autocommit=True) as conn, \
            running_bi(conn, port=free_port(), home=LOCAL_DIR / per_worker("superset-test")) as site:
        yield site


def test_the_dashboard_renders_every_chart_from_the_marts_and_sql_lab_cannot_read_raw(
        superset: SupersetSite, warehouse: str, tmp_path: Path) -> None:
    # tall enough for all three rows: Superset draws only the charts in view
    with HeadlessChromium(tmp_path / "chromium", window="1400,2200") as browser:
        page = browser.open(f"{superset.url}/login/")
        page.wait_for("!!document.querySelector('input[type=password]')", what="the login form")
        page.type_into("#username", superset.admin)
        page.type_into("#password", superset.admin_password)
        page.click("button", "Sign in")
        page.wait_for("!location.pathname.startsWith('/login')", what="the login to go through")
        page.navigate(superset.dashboard_url)
        page.wait_for(RENDERED, timeout=120, what="six charts drawn")
        page.wait_for(f"{CHART_REQUESTS} >= 6", what="the charts' data requests")
        text = page.evaluate("document.body.innerText")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(ARTIFACTS / "superset_dashboard.png")

        # SQL Lab's editor, as an analyst uses it: a new tab on the warehouse, a query typed,
        # Run pressed, the answer read off the page.
        with psycopg.connect(warehouse) as conn:
            job_ids = sorted(r[0] for r in conn.execute("select job_listing_id from marts.job_listings"))
        page.navigate(f"{superset.url}/sqllab/?new=true")
        for query, answers in (("select job_listing_id from marts.job_listings", job_ids),
                               ("select * from raw.jobspikr_jobs", ["permission denied for schema raw"])):
            page.type_into(".ace_editor textarea", "")
            page.press("a", "KeyA", 65, ctrl=True)  # select what the editor holds; typing replaces it
            page.type_into(".ace_editor textarea", query)
            page.click("[data-test=run-query-action]", "Run")
            page.wait_for(f"{json.dumps(answers)}.every(a => document.body.innerText.includes(a))",
                          what=f"{answers} for {query}")
        page.screenshot(ARTIFACTS / "superset_sql_lab.png")
    assert len(job_ids) == 3  # the page showed each of the three jobs' ids, and the refusal
    assert "No results were returned" not in text  # every chart's query found rows in the marts
    for title in ("Records per post date", "Coverage per post date (%)", "Completeness by field, newest run (%)",
                  "Freshness, newest run (hours)", "Records per run (history)", "Threshold checks"):
        assert title in text
    assert "jobspikr_coverage_of_legacy_pct" in text  # a row of marts.cutover_threshold_checks
    assert "error" not in text.lower()

    # The execute API SQL Lab calls, for the exact answers: the warehouse login is a member of
    # bi_reader, so it reads the marts only.
    api = api_session(superset.url, superset.admin_password)
    database = api.get(f"{superset.url}/api/v1/database/?q=(filters:!((col:database_name,opr:eq,value:warehouse)))"
                       ).json()["result"][0]["id"]

    def sql_lab(query: str) -> dict:
        return api.post(f"{superset.url}/api/v1/sqllab/execute/", timeout=60, json={
            "database_id": database, "sql": query, "runAsync": False, "schema": "marts"}).json()

    assert sql_lab("select count(*) as jobs from marts.job_listings")["data"] == [{"jobs": 3}]
    refused = sql_lab("select count(*) from raw.jobspikr_jobs")
    assert "permission denied for schema raw" in str(refused["errors"])

    # Each dataset column carries its description from the mart's Postgres comment (persist_docs).
    datasets = api.get(f"{superset.url}/api/v1/dataset/", params={"q": "(page_size:100)"}).json()["result"]
    checks = next(d["id"] for d in datasets if d["table_name"] == "cutover_threshold_checks")
    described = {c["column_name"]: c["description"]
                 for c in api.get(f"{superset.url}/api/v1/dataset/{checks}").json()["result"]["columns"]}
    with psycopg.connect(warehouse) as conn:
        comments = dict(conn.execute(
            "select attname, col_description(attrelid, attnum) from pg_attribute"
            " where attrelid = 'marts.cutover_threshold_checks'::regclass and attnum > 0").fetchall())
    assert comments["passed"] and described == comments
