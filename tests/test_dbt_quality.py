"""The dbt project's metadata, checked by the ecosystem's own linter: ``dbt parse`` writes
the manifest, dbt-score scores it with the configuration in pyproject.toml
(``[tool.dbt-score]``: the threshold and the rules turned off, each with its reason). The
completeness the score stands for is also asserted directly, so a failure names the node."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from jobspikr_pipeline.dbt import DBT_PROJECT_DIR, dbt_invocation

REPO = Path(__file__).resolve().parents[1]
MIN_PROJECT_SCORE = 9.5


@pytest.fixture(scope="module")
def manifest_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("dbt-parse")
    with dbt_invocation(["parse", "--target-path", str(target)], conn_id=None) as (command, env):
        result = subprocess.run(command, env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True,
                                check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    return target / "manifest.json"


@pytest.fixture(scope="module")
def manifest(manifest_path: Path) -> dict[str, Any]:
    return json.loads(manifest_path.read_text())


def test_dbt_score_of_the_project(manifest_path: Path) -> None:
    # run from the repository so dbt-score reads its configuration from pyproject.toml
    result = subprocess.run([str(Path(sys.executable).with_name("dbt-score")), "lint", "--manifest",
                             str(manifest_path), "--format", "json"],
                            cwd=REPO, capture_output=True, text=True, check=False)
    report = json.loads(result.stdout)
    failing = {name: [f"{rule}: {r.get('message')}" for rule, r in item["results"].items() if r["result"] != "OK"]
               for name, item in report["evaluables"].items()}
    failing = {name: rules for name, rules in failing.items() if rules}
    assert report["project"]["score"] >= MIN_PROJECT_SCORE, failing
    assert result.returncode == 0, (result.stderr[-2000:], failing)


def _own(nodes: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in nodes.values() if n.get("package_name") == "jobspikr"]


def test_every_model_seed_snapshot_and_source_is_described(manifest) -> None:
    nodes = [n for n in _own(manifest["nodes"]) if n["resource_type"] in ("model", "seed", "snapshot")]
    undescribed = [n["unique_id"] for n in [*nodes, *_own(manifest["sources"])] if not n["description"].strip()]
    assert undescribed == []


def test_every_model_seed_and_snapshot_tests_its_grain(manifest) -> None:
    """A unique test on a column or a unique combination of columns, and a not_null on a key."""
    tested: dict[str, set[str]] = {}
    for test in _own(manifest["nodes"]):
        if test["resource_type"] == "test" and test.get("test_metadata"):
            for parent in test["depends_on"]["nodes"]:
                tested.setdefault(parent, set()).add(test["test_metadata"]["name"])
    nodes = [n for n in _own(manifest["nodes"]) if n["resource_type"] in ("model", "seed", "snapshot")]
    assert nodes
    def has_grain(tests: set[str]) -> bool:
        return "unique_combination_of_columns" in tests or {"unique", "not_null"} <= tests

    no_grain = [n["unique_id"] for n in nodes if not has_grain(tested.get(n["unique_id"], set()))]
    assert no_grain == []


def test_sources_a_load_writes_have_freshness(manifest) -> None:
    written_by_loads = {"jobspikr_jobs", "jobspikr_load_log", "jobspikr_expirations", "legacy_scraped_jobs"}
    for source in _own(manifest["sources"]):
        if source["name"] in written_by_loads:
            freshness = source["freshness"] or {}
            assert source["loaded_at_field"], source["unique_id"]
            assert (freshness.get("warn_after") or {}).get("count"), source["unique_id"]


def test_every_macro_is_documented_with_its_arguments(manifest) -> None:
    macros = _own(manifest["macros"])
    assert macros
    undocumented = [m["name"] for m in macros if not m["description"].strip()]
    assert undocumented == []
    for macro in macros:
        for argument in macro["arguments"]:
            assert argument.get("type") and argument.get("description"), (macro["name"], argument["name"])
