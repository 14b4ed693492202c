"""Airflow Assets for the warehouse tables the pipeline writes, so downstream DAGs (a BI
refresh, an export) run when the data changes rather than at a guessed time.

Named after the tables (`schema.table`); the warehouse they live in is the
``warehouse_default`` connection, a deployment choice the asset names do not repeat.
"""

from __future__ import annotations

from airflow.sdk import Asset

RAW_JOBSPIKR_JOBS = Asset(name="raw.jobspikr_jobs")
JOB_LISTINGS = Asset(name="marts.job_listings")
JOB_LISTING_RECORDS = Asset(name="marts.job_listing_records")
JOB_LISTING_MATCHES = Asset(name="marts.job_listing_matches")
CUTOVER_METRICS = Asset(name="marts.cutover_run_metrics")

#: What a successful dbt build updates.
MART_ASSETS = [JOB_LISTINGS, JOB_LISTING_RECORDS, JOB_LISTING_MATCHES, CUTOVER_METRICS]
