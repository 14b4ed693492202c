"""Bulk, idempotent landing of JobsPikr records: a batch's rows (``raw_rows``) and its
entry in the load's ledger (``load_ledger``), in one transaction.

Each batch is one transaction: store its new versions in ``raw.jobspikr_jobs`` and mark the
others seen again, keep its rejects with their reasons, move the stream's watermark and
add to the load log. Either all of that commits or none of it does, so a worker killed
mid-batch leaves the watermark at the last batch that fully landed and the next run fetches
exactly what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from jobspikr.responses import Rejected
from jobspikr_pipeline import raw_rows
from jobspikr_pipeline.load_ledger import LoadCounts, LoadLedger, reject_key
from jobspikr_pipeline.personal_data import PersonalDataPolicy
from jobspikr_pipeline.postgres_text import without_nul
from jobspikr_pipeline.raw_rows import Prepared


class RawLoader:
    """One load (one task run): its ledger, and the batches it lands."""

    def __init__(self, conn: psycopg.Connection, *, query_key: str, airflow_run_id: str | None,
                 policy: PersonalDataPolicy | None = None) -> None:
        self.policy = policy or PersonalDataPolicy.configured()
        self.conn = conn
        self.ledger = LoadLedger(conn, query_key=query_key, airflow_run_id=airflow_run_id)

    def prepare(self, records: Iterable[dict[str, Any]]) -> Prepared:
        """The raw rows of ``records`` under this load's personal data policy (``raw_rows.prepare``)."""
        return raw_rows.prepare(records, self.policy)

    def land(self, prepared: Prepared, *, post_date: date, next_cursor: int | None,
             pages: int, byte_count: int, host: str, rejected: Sequence[Rejected] = ()) -> LoadCounts:
        """Land ``prepared`` (from ``prepare``), keep ``rejected`` with their reasons, move the
        (filters, post_date) watermark to ``next_cursor`` and add the batch's counts and
        fields to the ledger: all in one transaction."""
        rows = prepared.rows
        batch = LoadCounts(pages=pages, records_received=len(rows) + len(rejected), bytes=byte_count,
                           rejected=len(rejected))
        # Rejects are rare: each is cleaned of NULs (jsonb and text hold none) without a test first.
        rejected = [Rejected(r.position, without_nul(r.reason), without_nul(
            self.policy.apply(r.record) if isinstance(r.record, dict) else r.record)) for r in rejected]
        keys = [row[0] for row in rows] + [reject_key(r) for r in rejected]  # the policy keeps ids
        with self.conn.transaction():
            if rejected:
                with self.conn.cursor() as cur:
                    cur.executemany(
                        "insert into raw.jobspikr_rejects (load_id, post_date, reason, record)"
                        " values (%s, %s, %s, %s)",
                        [(self.ledger.load_id, post_date, r.reason, Jsonb(r.record)) for r in rejected])
            if rows:
                batch.inserted, batch.updated = raw_rows.store(
                    self.conn, rows, load_id=self.ledger.load_id, airflow_run_id=self.ledger.airflow_run_id,
                    host=host)
                batch.duplicates_skipped = len(rows) - batch.inserted
            self.ledger.record_batch(batch, post_date=post_date, keys=keys, next_cursor=next_cursor, host=host,
                                     fields=prepared.fields)
        return batch
