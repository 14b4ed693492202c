"""Deduplication evaluation: pairwise precision and recall of the mart's grouping.

The generators know the truth: ``Catalogue.job_of(i)`` and ``LegacyScrape.job_of(n)`` name
the job each record belongs to. The records carry realistic variation: cross-board re-posts
with a new ``uniq_id``, upper-cased titles, ``Senior`` -> ``Sr.``, ``Engineer`` -> ``Eng.``,
company suffix changes (``, Inc.`` -> `` Inc``, ``Corporation`` -> ``Corp.``), truncated
descriptions, raw vs inferred locations; the legacy scraper's re-scrapes of the same jobs
(``Austin, TX`` location text, HTML descriptions, ``$120k-$140k`` salaries, relative post
dates); and hard negatives: the same company hiring for other roles (and for the same role
in other teams) with identical boilerplate. The records are landed in a fresh
database, dbt builds the marts, and every pair of records is scored (pairwise precision and
recall: ``tests/support/dedup.py``, whose landing and scoring the dbt model tests share).

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
from datetime import date

import psycopg

from bench.dedup_real import LabelledSet, available, real_set
from bench.harness import fresh_database, postgres_admin
from jobspikr_pipeline.connections import WAREHOUSE_CONN_ID
from local_stack.airflow_env import configure_airflow_env
from local_stack.embedded_warehouse import airflow_conn_json
from standin_api import Catalogue
from standin_api.legacy import LegacyScrape
from tests.support.dedup import Score, land, land_rows, score, score_marts


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

    labelled = real_set()
    land_rows(dsn, [labelled.records], labelled.legacy_rows, post_date=date(2021, 10, 1), host="export_2021.csv",
              query_key="eval-real")
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
