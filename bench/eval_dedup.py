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
recall: ``devkit/dedup.py``, whose landing and scoring the dbt model tests share).

That set only measures how well the rules match the generator. The **real** set
(``bench/dedup_real.py``) is the 200 real JobsPikr rows with labels read off the records,
the variations boards and the scraper really make, and hard negatives; it is scored on a
tuning half and a held-out half, with a naive exact key (title, company, city) beside the
marts for scale. A record that never reaches the marts (quarantined) counts as a job of
its own, so quarantine cannot hide a missed pair. Beside it, four variants of the same rows
(``bench/dedup_variants.py``), each in a database of its own: the live API's quirks
(placeholders, several cities in one, JobsPikr's duplicate flag, the "(Remote)" bridge),
copy drift the rules were never shown, blind drift of kinds the matcher's author had not
read, and sealed drift of kinds nobody who changes the matcher has read (the last three never
tuned on), with recall by kind of record. The sealed variant's kinds are not printed unless
``DEDUP_SHOW_SEALED_KINDS=1`` (for reviewers, not for whoever changes the matcher): its
overall scores are.

The models are built, scored, and only then tested: a failing dbt test is listed after the
scores (and does not hide them).

Usage: ``./pipeline bench dedup [--set all|real|unsealed|generator] [--records 5000]``.
``--set unsealed`` scores the real set's variants but the sealed one: what whoever changes
the matcher runs while working, so that the sealed variant is scored once a change is done,
not at every try. Targets: precision >= 0.98, recall >= 0.95 (on the held-out half, for the
real set).
"""

from __future__ import annotations

import argparse
import os
import re

import psycopg

from bench.dedup_real import LabelledSet, available
from bench.dedup_variants import HALVES, VARIANTS, Variant, by_kind, land_variant, marts_grouping
from bench.harness import fresh_database, postgres_admin
from devkit.dedup import Score, land, score, score_marts
from jobspikr_pipeline.connections import WAREHOUSE_CONN_ID
from local_stack.airflow_env import configure_airflow_env
from local_stack.embedded_warehouse import airflow_conn_json
from standin_api import Catalogue
from standin_api.legacy import LegacyScrape

#: A sealed variant's by-kind lines are printed only when this is ``1``: its kinds must stay
#: unread by whoever writes or tunes the matching rules (``Variant.sealed``).
SHOW_SEALED_KINDS = "DEDUP_SHOW_SEALED_KINDS"
HIDDEN_KINDS = (f"  by kind: hidden ({SHOW_SEALED_KINDS}=1 shows them; for reviewers, not for whoever changes "
                "the matcher)")


def evaluate(dsn: str, catalogue: Catalogue, legacy: LegacyScrape) -> Score:
    """Land both sources in ``dsn`` (which ``warehouse_default`` must point at), build, score."""
    from jobspikr_pipeline.dbt import run_dbt

    land(dsn, catalogue, legacy)
    run_dbt(["build"], conn_id=WAREHOUSE_CONN_ID)
    return score_marts(dsn, catalogue, legacy)


def evaluate_variant(dsn: str, labelled: LabelledSet) -> tuple[dict[str, dict[str, Score]], int, list[str]]:
    """Land one variant in ``dsn``, build the models, and score the marts and the naive key on
    each half; also how many records never reached the marts, and the dbt tests that failed.

    The models are built first and scored, the tests run after: a failing test (another
    rule's bug) is reported beside the scores rather than hiding them."""
    from jobspikr_pipeline.dbt import DbtError, run_dbt

    land_variant(dsn, labelled)
    run_dbt(["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"],
            conn_id=WAREHOUSE_CONN_ID)
    marts, missing = marts_grouping(dsn, labelled)
    naive = naive_key(labelled)
    results: dict[str, dict[str, Score]] = {}
    for half in HALVES:
        keys = labelled.keys_in(half)
        truth = {k: labelled.truth[k] for k in keys}
        results[half] = {"marts": score({k: marts[k] for k in keys}, truth),
                         "naive key": score({k: naive[k] for k in keys}, truth)}
    try:
        run_dbt(["test"], conn_id=WAREHOUSE_CONN_ID)
        failed: list[str] = []
    except DbtError as error:
        failed = failed_tests(str(error))
    return results, missing, failed


def failed_tests(output: str) -> list[str]:
    """The names of the tests dbt reported failing (or erroring) in ``output``."""
    found = re.findall(r"(?:FAIL|ERROR) \d* ?([A-Za-z0-9_.]+) \.", output)
    return sorted(set(found)) or [output.splitlines()[0]]


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


def variants_of(which: str) -> tuple[Variant, ...]:
    """The real set's variants ``--set which`` scores: ``unsealed`` leaves the sealed one out."""
    return tuple(v for v in VARIANTS if which != "unsealed" or not v.sealed)


def evaluate_variants(admin: psycopg.Connection, variants: tuple[Variant, ...]) -> None:
    """Each variant in a fresh database of its own: scores by half, the recall by kind of
    each variant that names kinds, and the tests that failed."""
    failures: dict[str, list[str]] = {}
    for variant in variants:
        labelled = variant.build()
        dsn = fresh_database(admin, variant.database)
        os.environ["AIRFLOW_CONN_WAREHOUSE_DEFAULT"] = airflow_conn_json(dsn)
        results, missing, failures[variant.name] = evaluate_variant(dsn, labelled)
        print(f"{variant.title}:")
        for half in HALVES:
            for name, result in results[half].items():
                print_score(f"{half} half, {name}", result)
        print(f"  records that never reached the marts (quarantined; scored as jobs of their own): {missing}")
        if labelled.kinds:
            if shows_kinds(variant):
                print_kinds(dsn, labelled)
            else:
                print(HIDDEN_KINDS)
    for name, failed in failures.items():
        if failed:
            print(f"dbt tests that FAILED on the {name} variant's warehouse: {', '.join(failed)}")


def shows_kinds(variant: Variant) -> bool:
    """Whether the benchmark prints the variant's by-kind lines: a sealed variant's only when
    ``DEDUP_SHOW_SEALED_KINDS=1`` (a reviewer's run), its overall scores always."""
    return not variant.sealed or os.environ.get(SHOW_SEALED_KINDS) == "1"


def print_kinds(dsn: str, labelled: LabelledSet) -> None:
    """Per kind of made record and half: pairs with the rest of its job recalled, and pairs
    grouped with records of other jobs (a hard negative's are all wrong)."""
    marts, _ = marts_grouping(dsn, labelled)
    print(f"  {'by kind':<44} {'half':<9} {'records':>7} {'recall':>16} {'wrongly grouped':>16}")
    for half in HALVES:
        for kind in sorted(by_kind(marts, labelled, half), key=lambda k: k.kind):
            recall = f"{kind.recalled}/{kind.true_pairs} {kind.recall:.2f}" if kind.true_pairs else "-"
            print(f"  {kind.kind:<44} {half:<9} {kind.records:>7} {recall:>16} {kind.wrong_pairs:>16}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=("all", "real", "unsealed", "generator"), default="all")
    parser.add_argument("--records", type=int, default=5_000, help="generator set size")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--fit", action="store_true",
                        help="first fit the matcher's weights on the tuning halves (bench/fit_dedup_weights.py)")
    args = parser.parse_args()
    configure_airflow_env()
    print("Targets: precision >= 0.98, recall >= 0.95 (real set: on the held-out half)")
    with postgres_admin() as admin:
        if args.set in ("all", "real", "unsealed"):
            if not available():
                print("real set: skipped (../shared/data/jobspikr/export_2021.csv is not beside this clone)")
            else:
                if args.fit:
                    from bench.fit_dedup_weights import fit

                    fit(admin)
                evaluate_variants(admin, variants_of(args.set))
        if args.set in ("all", "generator"):
            dsn = fresh_database(admin, "eval_dedup")
            os.environ["AIRFLOW_CONN_WAREHOUSE_DEFAULT"] = airflow_conn_json(dsn)
            catalogue = Catalogue(seed=args.seed, size=args.records)
            result = evaluate(dsn, catalogue, LegacyScrape(catalogue, size=args.records // 3))
            print("generator set (the stand-in's records and legacy scrape):")
            print_score("all", result)


if __name__ == "__main__":
    main()
