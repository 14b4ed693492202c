"""Scaling curves: how each cost grows with N, in one run on one machine.

For N = 10k, 100k, 1M (``--sizes``): the extract-and-load path's time and peak RSS (the
stand-in serving N records, as in ``bench_load``), and dbt's full refresh, incremental run
(+1%) and near-duplicate grouping (as in ``bench_dbt``). Writes ``bench/results/scaling.md``
(table), ``scaling.json`` (the figures) and ``scaling.png`` (the chart, drawn by matplotlib
in ``.venv-bench``). Usage: ``./pipeline bench scaling [--sizes 10000 100000 1000000]``.
"""

from __future__ import annotations

import argparse
import json
import os

from bench import bench_dbt
from bench.bench_load import jobspikr_conn
from bench.harness import (
    BENCH_PYTHON,
    postgres_admin,
    project_load,
    run_child,
    standin_process,
    write_result,
)
from local_stack.airflow_env import configure_airflow_env


def measure_load(admin: str, records: int) -> dict[str, float]:
    with standin_process(records) as url:
        _, loaded = project_load(admin, f"bench_scaling_{records}", jobspikr_conn(url), records)
    return {"load_seconds": float(loaded.output["seconds"]), "load_rss_mb": loaded.peak_rss_mb}


def report(rows: list[dict[str, float]]) -> str:
    lines = ["| N | load | load rows/s | load peak RSS | dbt full refresh | dbt incremental (+1%) "
             "| incremental / full | near-dup grouping |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {int(r['records']):,} | {r['load_seconds']:.1f} s | {r['records'] / r['load_seconds']:,.0f} "
                     f"| {r['load_rss_mb']:.0f} MB | {r['full']:.1f} s | {r['incremental']:.1f} s "
                     f"| {r['incremental'] / r['full']:.2f} | {r['grouping']:.1f} s |")
    first, last = rows[0], rows[-1]
    lines.append(f"\nFrom N={int(first['records']):,} to N={int(last['records']):,} "
                 f"({last['records'] / first['records']:.0f}x the rows): load time "
                 f"{last['load_seconds'] / first['load_seconds']:.0f}x, peak RSS "
                 f"{last['load_rss_mb'] / first['load_rss_mb']:.2f}x, "
                 f"dbt full refresh {last['full'] / first['full']:.0f}x, "
                 f"grouping {last['grouping'] / first['grouping']:.0f}x.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args(argv)
    configure_airflow_env()
    rows = []
    with postgres_admin() as admin:
        for n in args.sizes:
            row = {"records": n, **measure_load(admin, n)}
            print(f"  N={n:,}: load {row['load_seconds']:.1f}s, peak RSS {row['load_rss_mb']:.0f} MB", flush=True)
            row.update(bench_dbt.measure(admin, n))
            print(f"  N={n:,}: dbt full {row['full']:.1f}s, incremental {row['incremental']:.1f}s, "
                  f"grouping {row['grouping']:.1f}s", flush=True)
            rows.append(row)
    figures = write_result("scaling.json", json.dumps(rows, indent=2))
    table = report(rows)
    write_result("scaling.md", table + "\n![scaling curves](scaling.png)\n")
    chart = run_child("bench.plot_scaling", str(figures), str(figures.with_suffix(".png")), python=BENCH_PYTHON,
                      env={**os.environ, "MPLBACKEND": "Agg"})
    print(f"\n{table}\n(written to {figures.with_suffix('.md')} and {chart.output['chart']})")


if __name__ == "__main__":
    main()
