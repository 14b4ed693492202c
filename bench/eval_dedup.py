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

That set only measures how well the rules match the generator. The **real** set
(``bench/dedup_real.py``) is the 200 real JobsPikr rows with labels read off the records,
the variations boards and the scraper really make, and hard negatives; it is scored on a
tuning half and a held-out half, with a naive exact key (title, company, city) beside the
marts for scale. A record that never reaches the marts (quarantined) counts as a job of
its own, so quarantine cannot hide a missed pair.

Usage: ``./pipeline bench dedup [--set all|real|generator] [--records 5000]``. Targets:
precision >= 0.98, recall >= 0.95 (on the held-out half, for the real set).
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from dataclasses import dataclass
from datetime import date

import psycopg

from bench.dedup_real import LabelledSet, available, real_set
from bench.harness import fresh_database, postgres_admin
from jobspikr_pipeline.connections import WAREHOUSE_CONN_ID
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
    from jobspikr_pipeline.raw_loader import RawLoader
    from jobspikr_pipeline.raw_schema import apply_migrations

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
    run_dbt(["build"], conn_id=WAREHOUSE_CONN_ID)
    return score_marts(dsn, catalogue, legacy)


def evaluate_real(dsn: str) -> tuple[dict[str, dict[str, Score]], int]:
    """Land the real labelled set in ``dsn``, build, and score the marts and the naive key
    on each half; also how many records never reached the marts."""
    from jobspikr_pipeline.dbt import run_dbt
    from jobspikr_pipeline.raw_loader import RawLoader
    from jobspikr_pipeline.raw_schema import apply_migrations

    labelled = real_set()
    with psycopg.connect(dsn, autocommit=True) as conn:
        apply_migrations(conn)
        loader = RawLoader(conn, query_key="eval-real", airflow_run_id="eval_dedup")
        loader.load_batch(labelled.records, post_date=date(2021, 10, 1), next_cursor=None, pages=1,
                          byte_count=0, host="export_2021.csv")
        loader.finish()
        with conn.transaction():
            write_legacy_rows(conn, labelled.legacy_rows)
    run_dbt(["build"], conn_id=WAREHOUSE_CONN_ID)
    with psycopg.connect(dsn) as conn:
        in_marts = dict(conn.execute(
            "select source || ':' || source_record_id, job_listing_id from marts.job_listing_records"))
    marts = {key: in_marts.get(key, f"not in the marts:{key}") for key in labelled.truth}
    naive = naive_key(labelled)
    results: dict[str, dict[str, Score]] = {}
    for half in ("tuning", "held-out"):
        keys = {k for k, h in labelled.half.items() if h == half}
        truth = {k: labelled.truth[k] for k in keys}
        results[half] = {"marts": score({k: marts[k] for k in keys}, truth),
                         "naive key": score({k: naive[k] for k in keys}, truth)}
    return results, sum(1 for key in labelled.truth if key not in in_marts)


def naive_key(labelled: LabelledSet) -> dict[str, str]:
    """(title, company, city), lower-cased: what a quick exact dedup would do."""
    keys = {f"jobspikr:{r['uniq_id']}": "|".join(str(r.get(f) or "").strip().lower()
                                                 for f in ("job_title", "company_name", "city"))
            for r in labelled.records}
    keys.update({f"legacy:{r['id']}": "|".join((" ".join(r["title"].split()).lower(), r["company"].lower(),
                                               r["location"].split(",")[0].strip().lower()))
                 for r in labelled.legacy_rows})
    return keys


def f1(result: Score) -> float:
    total = result.precision + result.recall
    return 2 * result.precision * result.recall / total if total else 0.0


def print_score(name: str, result: Score) -> None:
    print(f"  {name:<28} P {result.precision:.3f}  R {result.recall:.3f}  F1 {f1(result):.3f}"
          f"   ({result.records:,} records, {result.true_pairs:,} true pairs, {result.predicted_pairs:,} grouped)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=("all", "real", "generator"), default="all")
    parser.add_argument("--records", type=int, default=5_000, help="generator set size")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    configure_airflow_env()
    print("Targets: precision >= 0.98, recall >= 0.95 (real set: on the held-out half)")
    with postgres_admin() as admin:
        if args.set in ("all", "real"):
            if not available():
                print("real set: skipped (../shared/data/jobspikr/export_2021.csv is not beside this clone)")
            else:
                dsn = fresh_database(admin, "eval_dedup_real")
                os.environ["AIRFLOW_CONN_WAREHOUSE_DEFAULT"] = airflow_conn_json(dsn)
                results, missing = evaluate_real(dsn)
                print("real set (200 real JobsPikr rows, hand labels, board and scraper variations, hard negatives):")
                for half in ("tuning", "held-out"):
                    for name, result in results[half].items():
                        print_score(f"{half} half, {name}", result)
                print(f"  records that never reached the marts (quarantined; scored as jobs of their own): {missing}")
        if args.set in ("all", "generator"):
            dsn = fresh_database(admin, "eval_dedup")
            os.environ["AIRFLOW_CONN_WAREHOUSE_DEFAULT"] = airflow_conn_json(dsn)
            catalogue = Catalogue(seed=args.seed, size=args.records)
            result = evaluate(dsn, catalogue, LegacyScrape(catalogue, size=args.records // 3))
            print("generator set (the stand-in's records and legacy scrape):")
            print_score("all", result)


if __name__ == "__main__":
    main()
