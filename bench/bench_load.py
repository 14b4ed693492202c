"""Raw-landing benchmark: this project's extract-and-load path against a plain ``COPY``.

For each N, in one run on one machine:

1. the stand-in API (own process, records pre-encoded so it is not the bottleneck) serves
   N records; a child process runs the real ``extract_and_load`` (hook, pages, batches,
   COPY, idempotent merge, watermarks, load log) into a fresh database;
2. the same rows, exported as CSV, are loaded by a child doing nothing but ``COPY``:
   the practical limit on this machine.

Prints rows/s, MB/s and peak RSS (kernel ``ru_maxrss``) of both and their ratios; writes
the table to ``bench/results/load.md``. Usage: ``./pipeline bench load [--sizes 100000 1000000]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

import psycopg

from bench.harness import (
    BENCH_ENV,
    fresh_database,
    postgres_admin,
    run_child,
    standin_process,
    write_result,
)
from local_stack.embedded_warehouse import airflow_conn_json
from standin_api.server import Account


def jobspikr_conn(url: str) -> str:
    import json

    account = Account()
    return json.dumps({"conn_type": "jobspikr", "host": url, "login": account.client_id,
                       "password": account.client_auth_key, "extra": {"requests_per_minute": 1_000_000}})


def measure(admin: str, records: int, repeat: int) -> dict[str, float]:
    project, limit = [], []
    with standin_process(records) as url:
        for attempt in range(repeat):
            dsn = fresh_database(admin, f"bench_load_{records}")
            env = {**BENCH_ENV, "AIRFLOW_CONN_JOBSPIKR_DEFAULT": jobspikr_conn(url),
                   "AIRFLOW_CONN_WAREHOUSE_DEFAULT": airflow_conn_json(dsn)}
            loaded = run_child("bench.load_once", dsn, env=env)
            assert loaded.output["inserted"] == records, loaded.output
            project.append(loaded)
            with tempfile.TemporaryDirectory() as tmp:
                csv_path = Path(tmp) / "rows.csv"
                with psycopg.connect(dsn) as conn, conn.cursor() as cur, csv_path.open("wb") as f, cur.copy(
                        "copy (select uniq_id, cursor, crawl_timestamp, post_date, payload"
                        " from raw.jobspikr_jobs) to stdout (format csv)") as copy:
                    for chunk in copy:
                        f.write(chunk)
                limit.append(run_child("bench.copy_once", dsn, str(csv_path)))
            print(f"  N={records:,} run {attempt + 1}/{repeat}: project {loaded.output['seconds']:.1f}s, "
                  f"COPY {limit[-1].output['seconds']:.1f}s", flush=True)
    p_secs = statistics.median(float(r.output["seconds"]) for r in project)
    c_secs = statistics.median(float(r.output["seconds"]) for r in limit)
    return {
        "records": records,
        "project_rows_s": records / p_secs,
        "project_mb_s": statistics.median(float(r.output["bytes"]) for r in project) / p_secs / 1e6,
        "project_rss_mb": statistics.median(r.peak_rss_mb for r in project),
        "copy_rows_s": records / c_secs,
        "copy_mb_s": statistics.median(float(r.output["bytes"]) for r in limit) / c_secs / 1e6,
        "copy_rss_mb": statistics.median(r.peak_rss_mb for r in limit),
    }


def report(rows: list[dict[str, float]]) -> str:
    lines = [
        "| N | project rows/s | project MB/s (API JSON) | project peak RSS | COPY rows/s | COPY MB/s (CSV) "
        "| COPY peak RSS | project / COPY rows/s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {int(r['records']):,} | {r['project_rows_s']:,.0f} | {r['project_mb_s']:.1f} "
            f"| {r['project_rss_mb']:.0f} MB | {r['copy_rows_s']:,.0f} | {r['copy_mb_s']:.1f} "
            f"| {r['copy_rss_mb']:.0f} MB | {r['project_rows_s'] / r['copy_rows_s']:.2f} |")
    if len(rows) > 1:
        growth = rows[-1]["project_rss_mb"] / rows[0]["project_rss_mb"]
        lines.append(f"\nPeak RSS of the project path at N={int(rows[-1]['records']):,} is {growth:.2f}x "
                     f"that at N={int(rows[0]['records']):,} (target: within 1.20x).")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the median is reported")
    args = parser.parse_args(argv)
    with postgres_admin() as admin:
        rows = [measure(admin, n, args.repeat) for n in args.sizes]
    table = report(rows)
    path = write_result("load.md", table)
    print(f"\n{table}\n(written to {path})")


if __name__ == "__main__":
    main()
