"""A first load over years of mostly empty post dates: requests and time, counting empty
ranges first against fetching every day (the baseline), in one run.

The stand-in holds ``--records`` records posted in one month, two months after the first
load's start; the run's interval is yesterday, and the first load reaches back with
``since`` (5 years by default). Both paths
land every record into a fresh database and reconcile every day; the baseline is the same
code with the count requests turned off (as against a server that sends no
``total_count``). Time is measured at an unthrottled rate and given for the API's default
pace, 60 requests a minute. Usage: ``./pipeline bench firstload [--years 5]``.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date, timedelta

import psycopg

from bench.harness import fresh_database, postgres_admin, write_result
from jobspikr.hook import JobsPikrHook
from jobspikr.query import JobsPikrQuery
from jobspikr_pipeline.extract import extract_and_load
from jobspikr_pipeline.extract_plan import ExtractWindow
from jobspikr_pipeline.raw_schema import apply_raw_schema
from local_stack.airflow_env import configure_airflow_env
from standin_api import Catalogue, StandinConfig, StandinServer

#: The API's default pace (the hook's default ``requests_per_minute``).
DEFAULT_RPM = 60


class PerDayHook(JobsPikrHook):
    """The baseline: no range counts, so every day is fetched (one request at least)."""

    def count(self, query: JobsPikrQuery) -> int | None:
        return None


def measure(admin: str, server: StandinServer, hook_type: type[JobsPikrHook], window: ExtractWindow,
            records: int) -> dict[str, float]:
    dsn = fresh_database(admin, "bench_first_load")
    with psycopg.connect(dsn, autocommit=True) as conn:
        apply_raw_schema(conn)
        before = server.requests_served
        started = time.perf_counter()
        summary = extract_and_load(hook_type(), conn, JobsPikrQuery(), window, airflow_run_id="bench")
        seconds = time.perf_counter() - started
    assert summary["inserted"] == records and not summary["incomplete_windows"], summary
    requests = server.requests_served - before
    return {"requests": requests, "seconds": seconds, "at_default_pace": requests / DEFAULT_RPM,
            "days": summary["windows_checked"]}


def compare(admin: str, *, years: float, records: int) -> str:
    """Both paths over the same stand-in, in one run; the results table. The records are
    posted in one month, two months after the first load's start."""
    today = date.today()
    since = today - timedelta(days=round(365.25 * years))
    catalogue = Catalogue(seed=42, size=records, anchor=since + timedelta(days=91), days=31)
    window = ExtractWindow(interval_start=today - timedelta(days=1), interval_end=today,
                           backfill_start=today - timedelta(days=31), since=since)
    rows = {}
    with StandinServer(StandinConfig(catalogue=catalogue)) as server:
        os.environ["AIRFLOW_CONN_JOBSPIKR_DEFAULT"] = server.account.connection_json(server.url,
                                                                                     requests_per_minute=600_000)
        for label, hook_type in (("every day fetched (baseline)", PerDayHook),
                                 ("empty ranges counted first", JobsPikrHook)):
            rows[label] = measure(admin, server, hook_type, window, records)
            print(f"  {label}: {rows[label]}", flush=True)
    base = rows["every day fetched (baseline)"]
    lines = [f"First load of {records:,} records (posted in the month to {catalogue.anchor}) from {since} to "
             f"{today - timedelta(days=1)} ({base['days']:,.0f} post-date days):", "",
             "| path | requests | seconds (unthrottled) | minutes at 60 requests/min | requests vs baseline |",
             "|---|---:|---:|---:|---:|"]
    for label, row in rows.items():
        lines.append(f"| {label} | {row['requests']:,.0f} | {row['seconds']:.1f} | {row['at_default_pace']:.1f} "
                     f"| {row['requests'] / base['requests']:.3f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", type=float, default=5)
    parser.add_argument("--records", type=int, default=3_000)
    args = parser.parse_args()
    configure_airflow_env()
    with postgres_admin() as admin:
        table = compare(admin, years=args.years, records=args.records)
    print(f"\n{table}\n(written to {write_result('first_load.md', table)})")


if __name__ == "__main__":
    main()
