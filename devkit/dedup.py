"""Deduplication fixtures: land records in a fresh warehouse, and score the marts' grouping
pairwise against the truth the generators know (``Catalogue.job_of``, ``LegacyScrape.job_of``).

The dbt model tests and the docs, cutover and legacy-consumer tests land their data with
``land``; the dedup benchmark (``bench/eval_dedup.py``) scores with the same functions.

    precision = pairs grouped together that are truly one job / pairs grouped together
    recall    = pairs grouped together that are truly one job / pairs that are one job
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg

from devkit.suite import land_records
from standin_api import Catalogue
from standin_api.legacy import LegacyScrape, write_legacy_rows

#: Records per loader batch, as the extract task lands them.
BATCH = 5000


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    records: int
    true_pairs: int
    predicted_pairs: int


def pairs(sizes: Counter) -> int:
    return sum(n * (n - 1) // 2 for n in sizes.values())


def score(predicted: dict[str, str], truth: dict[str, object]) -> Score:
    """Pairwise scores over the records present in ``predicted``."""
    keys = [k for k in predicted if k in truth]
    both = pairs(Counter((predicted[k], truth[k]) for k in keys))
    predicted_pairs = pairs(Counter(predicted[k] for k in keys))
    true_pairs = pairs(Counter(truth[k] for k in keys))
    return Score(precision=both / predicted_pairs if predicted_pairs else 1.0,
                 recall=both / true_pairs if true_pairs else 1.0,
                 records=len(keys), true_pairs=true_pairs, predicted_pairs=predicted_pairs)


def land_rows(dsn: str, batches: Iterable[list[dict[str, Any]]], legacy_rows: list[dict[str, Any]], *,
              post_date: date, host: str, query_key: str) -> None:
    """Migrate the raw schema, land each batch of JobsPikr records through the loader (as the
    extract task does) and the legacy scraper's rows into its table."""
    from jobspikr_pipeline.raw_loader import RawLoader
    from jobspikr_pipeline.raw_schema import apply_raw_schema

    with psycopg.connect(dsn, autocommit=True) as conn:
        apply_raw_schema(conn)
        loader = RawLoader(conn, query_key=query_key, airflow_run_id="eval_dedup")
        for batch in batches:
            land_records(loader, batch, post_date=post_date, host=host)
        loader.ledger.finish()
        with conn.transaction():
            write_legacy_rows(conn, legacy_rows)


def land(dsn: str, catalogue: Catalogue, legacy: LegacyScrape) -> None:
    """Put the catalogue in the raw JobsPikr table and the legacy rows in the scraper's table."""
    batches = ([catalogue.record(i) for i in range(start, min(start + BATCH, catalogue.size))]
               for start in range(0, catalogue.size, BATCH))
    land_rows(dsn, batches, legacy.rows(), post_date=catalogue.anchor, host="generator", query_key="eval")


def generator_truth(catalogue: Catalogue, legacy: LegacyScrape) -> dict[str, object]:
    """Each generated record's job, by ``source:source_record_id``."""
    truth: dict[str, object] = {f"jobspikr:{catalogue.record(i)['uniq_id']}": catalogue.job_of(i)
                                for i in range(catalogue.size)}
    truth.update({f"legacy:{n + 1}": legacy.job_of(n) for n in range(legacy.size)})
    return truth


def score_marts(dsn: str, catalogue: Catalogue, legacy: LegacyScrape) -> Score:
    with psycopg.connect(dsn) as conn:
        predicted = dict(conn.execute(
            "select source || ':' || source_record_id, job_listing_id from marts.job_listing_records"))
    return score(predicted, generator_truth(catalogue, legacy))
