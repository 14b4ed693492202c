"""One extract-and-load through the real path, as a child process:
``python -m devkit.extract_load DSN [options]``.

The load benchmark measures it (``bench/harness.py``: its peak RSS and time, the summary
read from the last stdout line as JSON, with ``import_rss_mb``: the peak RSS before the load
started, Python, Airflow and the project imported, as in any Airflow task, so the benchmark
can tell the load's own memory from it); the fault matrix and the raw landing tests kill it
mid-load. The JobsPikr connection comes from ``AIRFLOW_CONN_JOBSPIKR_DEFAULT``; the raw
schema is migrated first (nothing to do when it is current).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
from datetime import date
from pathlib import Path

from local_stack.airflow_env import LOCAL_DIR, configure_airflow_env


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dsn", help="the warehouse's libpq conninfo")
    parser.add_argument("--interval-start", type=date.fromisoformat, default=date(2026, 11, 19))
    parser.add_argument("--interval-end", type=date.fromisoformat, default=date(2026, 11, 20))
    parser.add_argument("--backfill-start", type=date.fromisoformat, default=date(2026, 11, 1))
    parser.add_argument("--run-id", default="bench", help="the load's airflow_run_id")
    parser.add_argument("--batch-records", type=int, help="records per batch (default: the loader's)")
    args = parser.parse_args(argv)
    # The caller's Airflow home when it has one (a test's), else this machine's.
    configure_airflow_env(Path(os.environ.get("AIRFLOW_HOME", LOCAL_DIR / "airflow")))
    import psycopg

    from jobspikr.hook import JobsPikrHook
    from jobspikr.query import JobsPikrQuery
    from jobspikr_pipeline.extract import extract_and_load
    from jobspikr_pipeline.extract_plan import ExtractWindow
    from jobspikr_pipeline.raw_schema import apply_raw_schema

    window = ExtractWindow(interval_start=args.interval_start, interval_end=args.interval_end,
                           backfill_start=args.backfill_start)
    batch = {"batch_records": args.batch_records} if args.batch_records else {}
    with psycopg.connect(args.dsn, autocommit=True) as conn:
        apply_raw_schema(conn)
        import_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        summary = extract_and_load(JobsPikrHook(), conn, JobsPikrQuery(), window, airflow_run_id=args.run_id,
                                   **batch)
    print(json.dumps({**summary, "import_rss_mb": import_rss_mb}, default=str))


if __name__ == "__main__":
    main()
