"""Deduplication evaluation: pairwise precision and recall of the mart's grouping.

The generators know the truth: ``Catalogue.job_of(i)`` and ``LegacyScrape.job_of(n)`` name
the job each record belongs to. The records carry realistic variation: cross-board re-posts
with a new ``uniq_id``, upper-cased titles, ``Senior`` -> ``Sr.``, ``Engineer`` -> ``Eng.``,
company suffix changes (``, Inc.`` -> `` Inc``, ``Corporation`` -> ``Corp.``), truncated
descriptions, raw vs inferred locations; the legacy scraper's re-scrapes of the same jobs
(``Austin, TX`` location text, HTML descriptions, ``$120k-$140k`` salaries, relative post
dates); and hard negatives: the same company hiring for other roles (and for the same role
in other teams) with identical boilerplate. The records are landed in a fresh
database, dbt builds the marts, and every pair of records is scored:

    precision = pairs grouped together that are truly one job / pairs grouped together
    recall    = pairs grouped together that are truly one job / pairs that are one job

Usage: ``.venv/bin/python -m bench.eval_dedup [--records 5000]``. Targets: precision >= 0.98,
recall >= 0.95.
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from dataclasses import dataclass

import psycopg

from bench.harness import fresh_database, postgres_admin
from local_stack.airflow_env import configure_airflow_env
from local_stack.embedded_warehouse import airflow_conn_json
from standin_api import Catalogue
from standin_api.legacy import LegacyScrape, write_legacy_rows


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


def land(dsn: str, catalogue: Catalogue, legacy: LegacyScrape) -> None:
    """Put the catalogue in the raw JobsPikr table and the legacy rows in the scraper's table."""
    from jobspikr_pipeline.migrations import apply_migrations
    from jobspikr_pipeline.raw_loader import RawLoader

    with psycopg.connect(dsn, autocommit=True) as conn:
        apply_migrations(conn)
        loader = RawLoader(conn, query_key="eval", airflow_run_id="eval_dedup")
        for start in range(0, catalogue.size, 5000):
            batch = [catalogue.record(i) for i in range(start, min(start + 5000, catalogue.size))]
            loader.load_batch(batch, post_date=catalogue.anchor, next_cursor=None, pages=1, byte_count=0,
                              host="generator")
        loader.finish()
        with conn.transaction():
            write_legacy_rows(conn, legacy.rows())


def score_marts(dsn: str, catalogue: Catalogue, legacy: LegacyScrape) -> Score:
    with psycopg.connect(dsn) as conn:
        predicted = dict(conn.execute(
            "select source || ':' || source_record_id, job_listing_id from marts.job_listing_records"))
    truth: dict[str, object] = {f"jobspikr:{catalogue.record(i)['uniq_id']}": catalogue.job_of(i)
                                for i in range(catalogue.size)}
    truth.update({f"legacy:{n + 1}": legacy.job_of(n) for n in range(legacy.size)})
    return score(predicted, truth)


def evaluate(dsn: str, catalogue: Catalogue, legacy: LegacyScrape) -> Score:
    """Land both sources in ``dsn`` (which ``warehouse_default`` must point at), build, score."""
    from jobspikr_pipeline.dbt import run_dbt

    land(dsn, catalogue, legacy)
    run_dbt(["build"], conn_id="warehouse_default")
    return score_marts(dsn, catalogue, legacy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    configure_airflow_env()
    with postgres_admin() as admin:
        dsn = fresh_database(admin, "eval_dedup")
        os.environ["AIRFLOW_CONN_WAREHOUSE_DEFAULT"] = airflow_conn_json(dsn)
        catalogue = Catalogue(seed=args.seed, size=args.records)
        result = evaluate(dsn, catalogue, LegacyScrape(catalogue, size=args.records // 3))
    print(f"records {result.records:,}  true pairs {result.true_pairs:,}  grouped pairs {result.predicted_pairs:,}")
    print(f"precision {result.precision:.4f} (target >= 0.98)   recall {result.recall:.4f} (target >= 0.95)")


if __name__ == "__main__":
    main()
