"""Scaling curves: how each cost grows with N, in one run on one machine.

For N = 10k, 100k, 1M (``--sizes``): the extract-and-load path's time and peak RSS (the
stand-in serving N records, as in ``bench_load``) on the stand-in's records and on records of
the real rows' size and shape (``--real-sizes``, default the same N), and dbt's full refresh,
incremental run (+1%) and near-duplicate grouping (as in ``bench_dbt``). Writes ``bench/results/scaling.md``
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


def measure_load(admin: str, records: int, *, real_rows: bool = False) -> dict[str, float]:
    prefix = "real_" if real_rows else ""
    # The stand-in holds every record encoded (1M real-size ones: about 11 GB of its memory):
    # made on demand, each page would rescan the catalogue and the stand-in would be measured.
    with standin_process(records, real_rows=real_rows) as url:
        _, loaded = project_load(admin, f"bench_scaling_{prefix}{records}", jobspikr_conn(url), records)
    return {f"{prefix}load_seconds": float(loaded.output["seconds"]), f"{prefix}load_rss_mb": loaded.peak_rss_mb}


def report(rows: list[dict[str, float]]) -> str:
    lines = ["| N | load | load rows/s | load peak RSS | dbt full refresh | dbt incremental (+1%) "
             "| incremental / full | near-dup grouping |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {int(r['records']):,} | {r['load_seconds']:.1f} s | {r['records'] / r['load_seconds']:,.0f} "
                     f"| {r['load_rss_mb']:.0f} MB | {r['full']:.1f} s | {r['incremental']:.1f} s "
                     f"| {r['incremental'] / r['full']:.2f} | {r['grouping']:.1f} s |")
    real = [r for r in rows if "real_load_seconds" in r]
    if real:
        lines += ["\nOn records of the real rows' size and shape (about 10 KB each):\n",
                  "| N | load | load rows/s | load peak RSS |", "|---:|---:|---:|---:|"]
        lines += [f"| {int(r['records']):,} | {r['real_load_seconds']:.1f} s "
                  f"| {r['records'] / r['real_load_seconds']:,.0f} | {r['real_load_rss_mb']:.0f} MB |" for r in real]
    if len(real) > 1:
        lines.append(f"\nReal-size records, N={int(real[0]['records']):,} to N={int(real[-1]['records']):,}: load time "
                     f"{real[-1]['real_load_seconds'] / real[0]['real_load_seconds']:.0f}x, peak RSS "
                     f"{real[-1]['real_load_rss_mb'] / real[0]['real_load_rss_mb']:.2f}x (target: within 1.20x).")
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
    parser.add_argument("--real-sizes", type=int, nargs="*", default=None,
                        help="N for the real-size records' load (default: --sizes; none: skip)")
    args = parser.parse_args(argv)
    real_sizes = args.sizes if args.real_sizes is None else args.real_sizes
    configure_airflow_env()
    rows = []
    with postgres_admin() as admin:
        for n in args.sizes:
            row = {"records": n, **measure_load(admin, n)}
            print(f"  N={n:,}: load {row['load_seconds']:.1f}s, peak RSS {row['load_rss_mb']:.0f} MB", flush=True)
            if n in real_sizes:
                row.update(measure_load(admin, n, real_rows=True))
                print(f"  N={n:,} real-size records: load {row['real_load_seconds']:.1f}s, "
                      f"peak RSS {row['real_load_rss_mb']:.0f} MB", flush=True)
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
