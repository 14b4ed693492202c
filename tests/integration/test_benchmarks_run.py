"""The benchmark commands work as a user runs them (at a small N; their figures are measured
by `./pipeline bench`, never asserted here)."""

from __future__ import annotations

import json

import pytest

from bench import bench_first_load, bench_latency, bench_load, bench_scaling
from bench.harness import BENCH_PYTHON, run_child

pytestmark = [pytest.mark.integration, pytest.mark.skipif(
    not BENCH_PYTHON.exists(), reason=".venv-bench is missing (./pipeline test and ./pipeline bench create it)")]


@pytest.mark.parametrize("shape", bench_load.SHAPES)
def test_load_benchmark_measures_all_three_paths(postgres_admin: str, shape: str) -> None:
    row = bench_load.measure(postgres_admin, 2_000, repeat=1, shape=shape)  # asserts each path landed 2,000 rows
    for path in ("project", "copy", "dlt"):
        assert row[f"{path}_rows_s"] > 0 and row[f"{path}_rss_mb"] > 0
    # the load's own memory is told apart from what its process held before (Airflow imported)
    assert 0 <= row["project_own_rss_mb"] < row["project_rss_mb"] - 50
    # the real rows are about 10 KB, the generated ones about 2.4 KB
    assert (row["record_kb"] > 8) == (shape == "real"), row["record_kb"]
    table = bench_load.report([row])
    assert f"| 2,000 | {shape} (" in table and "| dlt rest_api |" in table and "| this project |" in table
    assert "| of which the load |" in table


def _drawn(tmp_path, plotter: str, rows: list[dict[str, object]]) -> bytes:
    figures = tmp_path / "figures.json"
    figures.write_text(json.dumps(rows))
    chart = tmp_path / "chart.png"
    run_child(plotter, str(figures), str(chart), python=BENCH_PYTHON)
    assert chart.stat().st_size > 10_000
    return chart.read_bytes()[:8]


def test_load_chart_is_drawn(tmp_path) -> None:
    rows = [{"records": 20_000, "shape": shape, "project_rows_s": 9.0, "copy_rows_s": 10.0, "dlt_rows_s": 3.0,
             "project_rss_mb": 190.0, "project_own_rss_mb": 55.0} for shape in ("stand-in", "real")]
    assert _drawn(tmp_path, "bench.plot_load", rows) == b"\x89PNG\r\n\x1a\n"


def test_latency_benchmark_counts_requests_against_the_rate_limit(postgres_admin: str) -> None:
    rows_s, requests_s = bench_latency.measure(postgres_admin, 1_000, latency_ms=20, rpm=6_000, streams=2,
                                               repeat=1)
    assert 0 < requests_s <= 100 * 1.05 and rows_s > requests_s  # within 6,000/min; pages carry rows


def test_scaling_chart_is_drawn(tmp_path) -> None:
    rows = [{"records": n, "load_seconds": n / 1e4, "load_rss_mb": 150.0, "full": n / 3e3,
             "incremental": 5.0, "grouping": n / 1e4, "real_load_seconds": n / 3e3, "real_load_rss_mb": 190.0}
            for n in (10_000, 100_000)]
    assert _drawn(tmp_path, "bench.plot_scaling", rows) == b"\x89PNG\r\n\x1a\n"
    assert "Real-size records, N=10,000 to N=100,000: load time 10x, peak RSS 1.00x" in bench_scaling.report(rows)


def test_first_load_benchmark_runs_both_paths(postgres_admin: str) -> None:
    table = bench_first_load.compare(postgres_admin, years=0.5, records=300)  # asserts both landed all 300
    assert "| every day fetched (baseline) |" in table and "| empty ranges counted first |" in table
