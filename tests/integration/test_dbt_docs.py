"""``dbt docs generate`` produces the lineage site, and it renders in a real headless browser."""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from devkit.browser import HeadlessChromium
from devkit.dedup import land
from devkit.suite import TEST_ANCHOR, build
from jobspikr_pipeline.dbt import run_dbt
from local_stack.airflow_env import LOCAL_DIR
from standin_api import Catalogue
from standin_api.legacy import LegacyScrape

pytestmark = [pytest.mark.integration, pytest.mark.skipif(
    shutil.which("chromium") is None,
    reason="Debian's chromium is not installed (./pipeline test installs it when it can)")]

ARTIFACTS = LOCAL_DIR / "test-artifacts"


@pytest.fixture
def docs_site(warehouse: str, tmp_path: Path) -> Iterator[str]:
    """The docs built on a built warehouse (so the catalog has columns), served over HTTP as
    ``dbt docs serve`` does: the page fetches manifest.json and catalog.json."""
    catalogue = Catalogue(seed=5, size=200, anchor=TEST_ANCHOR, days=5)
    land(warehouse, catalogue, LegacyScrape(catalogue, size=60))
    build()
    site = tmp_path / "site"
    run_dbt(["docs", "generate", "--target-path", str(site)], conn_id="warehouse_default")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_docs_site_shows_the_marts_lineage_and_columns(docs_site: str, tmp_path: Path) -> None:
    with HeadlessChromium(tmp_path / "chromium") as browser:
        page = browser.open(docs_site)
        page.wait_for("document.body.innerText.includes('Welcome')", what="the docs site")
        page.evaluate("location.hash = '#!/model/model.jobspikr.job_listings'")
        page.wait_for("document.body.innerText.includes('Depends On')", what="the job_listings model page")
        text = page.evaluate("document.body.innerText")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        screenshot = page.screenshot(ARTIFACTS / "dbt_docs_job_listings.png")
    # the model's description, its columns from the catalog, and what it is built from
    assert "job_listings" in text and "job_listing_id" in text
    assert "int_job_records__clustered" in text  # upstream, under "Depends On"
    assert "record_count" in text
    assert screenshot.stat().st_size > 10_000
