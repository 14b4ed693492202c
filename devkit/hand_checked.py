"""The cutover's hand-checked set: three jobs whose comparison metrics were worked out by
hand (the cutover tests and the BI test read the marts built from it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg

from devkit.suite import land_records
from jobspikr_pipeline.raw_loader import RawLoader
from jobspikr_pipeline.raw_schema import apply_raw_schema
from standin_api import Catalogue
from standin_api.legacy import write_legacy_rows

POSTED = date(2026, 11, 18)
TEMPLATE = Catalogue(seed=5, size=100).record(3)
DESCRIPTION_A = ("Acme is hiring a Senior Data Engineer to join the Payments team in Austin, TX. You will own "
                 "payments problems end to end using Python, Sql, Spark. Requirements: 5+ years.")


def jobspikr_record(uniq_id: str, cursor: int, **fields: Any) -> dict[str, Any]:
    return {**TEMPLATE, "uniq_id": uniq_id, "cursor": cursor, "post_date": POSTED.isoformat(),
            "company_name": "Acme", "city": "Austin", "state": "TX", "inferred_city": "Austin",
            "inferred_state": "Texas", "url": f"https://www.indeed.com/job/{uniq_id}", **fields}


def legacy_row(row_id: int, **fields: Any) -> dict[str, Any]:
    return {"id": row_id, "source_site": "indeed", "external_id": str(row_id), "url": f"https://www.indeed.com/x/{row_id}",
            "company": "Acme Inc", "location": "Austin, TX", "salary_text": "DOE", "posted_at": POSTED.isoformat(),
            **fields}


def land_hand_checked_set(dsn: str) -> None:
    """Jobs A (JobsPikr twice, on two boards, and the scraper once), B (JobsPikr only),
    C (scraper only); one JobsPikr record without a title (quarantined)."""
    a = {"job_title": "Senior Data Engineer", "job_description": DESCRIPTION_A,
         "inferred_salary_from": 150000, "inferred_salary_to": 180000}
    records = [
        jobspikr_record("a1", 1, **a),
        jobspikr_record("a2", 2, **a, job_board="dice"),
        jobspikr_record("b1", 3, job_title="Registered Nurse", job_description="Nursing role at Acme in Austin.",
                        inferred_salary_from=None, inferred_salary_to=None, salary_offered="Competitive"),
        jobspikr_record("q1", 4, job_title=""),
    ]
    with psycopg.connect(dsn, autocommit=True) as conn:
        apply_raw_schema(conn)
        loader = RawLoader(conn, query_key="hand", airflow_run_id="hand")
        land_records(loader, records, post_date=POSTED)
        loader.ledger.finish()
        # delivered 10, 20 and 30 hours after the post date (a1, a2, b1)
        for uniq_id, hours in (("a1", 10), ("a2", 20), ("b1", 30), ("q1", 40)):
            delivered = datetime.combine(POSTED, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hours)
            conn.execute("update raw.jobspikr_jobs set fetched_at = %s, last_seen_at = %s where uniq_id = %s",
                         (delivered, delivered, uniq_id))
        scraped = datetime.combine(POSTED, datetime.min.time(), tzinfo=UTC)
        with conn.transaction():
            write_legacy_rows(conn, [
                legacy_row(1, title="Sr. Data Engineer", description_html=f"<p>{DESCRIPTION_A}</p>",
                           salary_text="$150k-$180k", scraped_at=scraped + timedelta(hours=5)),
                legacy_row(2, title="Accountant", description_html="<p>Books and ledgers at Acme.</p>",
                           scraped_at=scraped + timedelta(hours=7)),
            ])
