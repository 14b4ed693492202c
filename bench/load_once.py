"""Child process: one extract-and-load of the whole stand-in catalogue through the real path."""

from __future__ import annotations

import json
import sys
from datetime import date

from local_stack.airflow_env import configure_airflow_env


def main(dsn: str) -> None:
    configure_airflow_env()
    import psycopg

    from jobspikr.hook import JobsPikrHook
    from jobspikr.query import JobsPikrQuery
    from jobspikr_pipeline.extract import ExtractWindow, extract_and_load
    from jobspikr_pipeline.raw_schema import apply_migrations

    window = ExtractWindow(interval_start=date(2026, 11, 19), interval_end=date(2026, 11, 20),
                           backfill_start=date(2026, 11, 1))
    with psycopg.connect(dsn, autocommit=True) as conn:
        apply_migrations(conn)
        summary = extract_and_load(JobsPikrHook(), conn, JobsPikrQuery(), window, airflow_run_id="bench")
    print(json.dumps(summary, default=str))


if __name__ == "__main__":
    main(sys.argv[1])
