"""
### marts_refreshed

Runs whenever `jobspikr_ingest` has rebuilt the marts (Airflow Assets `marts.job_listings`
and `marts.job_listing_records`), not on a clock: refreshes the planner statistics of the
marts BI tools query, and logs what they now hold. The place to hang BI extract refreshes
or exports that must follow the data.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, task

from jobspikr_pipeline.alerts import on_failure_alert
from jobspikr_pipeline.assets import JOB_LISTING_RECORDS, JOB_LISTINGS
from jobspikr_pipeline.connections import WAREHOUSE_CONN_ID


@dag(
    dag_id="marts_refreshed",
    schedule=(JOB_LISTINGS & JOB_LISTING_RECORDS),
    start_date=datetime(2026, 11, 1),
    catchup=False,
    doc_md=__doc__,
    tags=["jobspikr", "bi"],
    default_args={"owner": "data-platform", "retries": 1, "on_failure_callback": on_failure_alert},
)
def marts_refreshed() -> None:
    @task(multiple_outputs=False)
    def refresh_mart_statistics() -> dict[str, int]:
        import logging

        from jobspikr_pipeline.warehouse import warehouse_connection

        with warehouse_connection(WAREHOUSE_CONN_ID) as conn:
            conn.execute("analyze marts.job_listings")
            conn.execute("analyze marts.job_listing_records")
            listings, active = conn.execute(
                "select count(*), count(*) filter (where status = 'active') from marts.job_listings").fetchone()
        logging.getLogger("jobspikr.bi").info("marts refreshed: %d job listings, %d active", listings, active)
        return {"job_listings": listings, "active": active}

    refresh_mart_statistics()


marts_refreshed()
