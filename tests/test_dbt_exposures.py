"""dbt for BI consumers, from the parsed project (the manifest ``./pipeline`` writes): every
consumer is an exposure, and what consumers read is documented and under contract."""

from __future__ import annotations

import csv
import json
from typing import Any

import pytest

from jobspikr_pipeline.dbt import DBT_PROJECT_DIR
from jobspikr_pipeline.dbt_graph import MANIFEST_PATH


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return json.loads(MANIFEST_PATH.read_text())


def exposures(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in manifest["exposures"].values()}


def test_every_consumer_in_the_seed_and_the_dashboard_is_an_exposure(manifest) -> None:
    with (DBT_PROJECT_DIR / "seeds" / "consumers.csv").open() as seed:
        consumers = {row["consumer_id"] for row in csv.DictReader(seed)}
    found = exposures(manifest)
    assert set(found) == consumers | {"cutover_dashboard"}
    for name in consumers:
        assert "model.jobspikr.consumer_job_listings" in found[name]["depends_on"]["nodes"], name
    assert set(found["cutover_dashboard"]["depends_on"]["nodes"]) == {
        "model.jobspikr.cutover_daily_metrics", "model.jobspikr.cutover_run_metrics",
        "model.jobspikr.cutover_threshold_checks"}


def test_what_consumers_read_is_under_contract_with_every_column_described(manifest) -> None:
    read = {node for e in exposures(manifest).values() for node in e["depends_on"]["nodes"]}
    assert "model.jobspikr.consumer_job_listings" in read
    for node_id in read:
        node = manifest["nodes"][node_id]
        assert node["config"]["contract"]["enforced"], node_id
        assert node["description"].strip(), node_id
        undocumented = [c for c, column in node["columns"].items() if not column["description"].strip()]
        assert undocumented == [], (node_id, undocumented)


def test_marts_persist_column_docs_but_not_the_table_comment(manifest) -> None:
    """The table comment carries the source-flags marker; dbt must not overwrite it."""
    marts = [n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["schema"].endswith("marts")]
    assert marts
    for node in marts:
        assert node["config"]["persist_docs"] == {"relation": False, "columns": True}, node["name"]
