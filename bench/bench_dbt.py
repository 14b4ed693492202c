"""dbt benchmark: full refresh, an incremental run with 1% new rows, and near-duplicate
grouping at N and 4N raw rows, in one run.

Records are landed straight into raw (the load path has its own benchmark), with a legacy
scrape of N/5 rows. Timed: the dedup pipeline's models (all but the cutover's), and
then the cutover's comparison metrics models, which recompute over all data every run.
The JobsPikr rows are then dated as if each had landed when JobsPikr
indexed it, the newest a day ago: the incremental run is the next daily run, with 1% new
JobsPikr records landed since. Model timings come from dbt's run_results.json. Usage:
``.venv/bin/python -m bench.bench_dbt [--sizes 100000 400000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import psycopg

from bench.harness import fresh_database, postgres_admin, write_result
from devkit.dedup import land
from jobspikr_pipeline.connections import WAREHOUSE_CONN_ID
from local_stack.airflow_env import configure_airflow_env
from local_stack.embedded_warehouse import airflow_conn_json
from standin_api import Catalogue
from standin_api.legacy import LegacyScrape

GROUPING_MODELS = ("int_job_records__blocks", "int_job_pairs__matched", "int_job_records__clustered")
#: The comparison metrics, which recompute over all data on every run (timed apart).
METRICS_MODELS = ("cutover_daily_metrics", "cutover_run_metrics", "cutover_threshold_checks")


def dbt_run(*args: str) -> tuple[float, dict[str, float]]:
    """``dbt run``; wall seconds and per-model seconds."""
    from jobspikr_pipeline.dbt import DBT_PROJECT_DIR, run_dbt

    started = time.perf_counter()
    run_dbt(["run", *args], conn_id=WAREHOUSE_CONN_ID)
    seconds = time.perf_counter() - started
    results = json.loads((DBT_PROJECT_DIR / "target" / "run_results.json").read_text())
    return seconds, {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results["results"]}


def measure(admin: str, records: int) -> dict[str, float]:
    dsn = fresh_database(admin, f"bench_dbt_{records}")
    os.environ["AIRFLOW_CONN_WAREHOUSE_DEFAULT"] = airflow_conn_json(dsn)
    catalogue = Catalogue(seed=42, size=records)
    land(dsn, catalogue, LegacyScrape(catalogue, size=records // 5))
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("""
            with shift as (select now() - interval '1 day' - to_timestamp(max(cursor) / 1e6) as by
                           from raw.jobspikr_jobs)
            update raw.jobspikr_jobs set fetched_at = to_timestamp(cursor / 1e6) + shift.by,
                                         last_seen_at = to_timestamp(cursor / 1e6) + shift.by
            from shift""")
        conn.execute("vacuum analyze raw.jobspikr_jobs")
    from jobspikr_pipeline.dbt import run_dbt

    run_dbt(["seed"], conn_id=WAREHOUSE_CONN_ID)
    # The dedup pipeline's models; the cutover's comparison metrics are timed on their own.
    full, models = dbt_run("--full-refresh", "--exclude", *METRICS_MODELS)
    extra = Catalogue(seed=43, size=records // 100, anchor=catalogue.anchor, days=catalogue.days)
    land(dsn, extra, LegacyScrape(extra, size=0))
    incremental, incremental_models = dbt_run("--exclude", *METRICS_MODELS)
    cutover, _ = dbt_run("--select", *METRICS_MODELS)
    for label, timings in (("full refresh", models), ("incremental", incremental_models)):
        slowest = sorted(timings.items(), key=lambda item: -item[1])[:6]
        print(f"  N={records:,} {label}: " + ", ".join(f"{name} {sec:.1f}s" for name, sec in slowest), flush=True)
    return {"records": records, "full": full, "incremental": incremental, "cutover": cutover,
            "grouping": sum(models[m] for m in GROUPING_MODELS)}


def report(rows: list[dict[str, float]]) -> str:
    lines = ["| raw rows | full refresh | incremental (+1%) | incremental / full | near-dup grouping "
             "| cutover metrics |",
             "|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {int(r['records']):,} | {r['full']:.1f} s | {r['incremental']:.1f} s "
                     f"| {r['incremental'] / r['full']:.2f} | {r['grouping']:.1f} s | {r['cutover']:.1f} s |")
    if len(rows) > 1:
        lines.append(f"\nNear-duplicate grouping at {int(rows[-1]['records']):,} rows takes "
                     f"{rows[-1]['grouping'] / rows[0]['grouping']:.1f}x the time at {int(rows[0]['records']):,} "
                     f"({rows[-1]['records'] / rows[0]['records']:.0f}x the rows; target: at most 5x for 4x).")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 400_000])
    args = parser.parse_args()
    configure_airflow_env()
    with postgres_admin() as admin:
        rows = []
        for n in args.sizes:
            rows.append(measure(admin, n))
            print(f"  N={n:,}: full {rows[-1]['full']:.1f}s, incremental {rows[-1]['incremental']:.1f}s", flush=True)
    table = report(rows)
    print(f"\n{table}\n(written to {write_result('dbt.md', table)})")


if __name__ == "__main__":
    main()
