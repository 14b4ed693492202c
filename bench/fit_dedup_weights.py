"""Fit the matcher's weights: ``dbt_project/seeds/dedup_match_weights.csv``.

A Fellegi-Sunter model, as Splink fits one from labels: every candidate pair the matcher
scores is cut into levels per comparison (``comparison_levels`` in
``dbt_project/macros/matching/match_score.sql``). A level's weight is

    log2(m / u),  m = P(level | the pair is one job),  u = P(level | it is not),

counted over the candidate pairs (every pair in one place that shares a blocking key or
JobsPikr's duplicate flag, however unlike its titles) of the **tuning halves** of the tunable
variants of the labelled real set (``bench/dedup_variants.py``: the real rows, and the same
rows with the API's quirks); never over a held-out half, never over the unseen-drift or
blind-drift variants. The real rows hold few look-alikes that are not one job (a same-company sibling
role with the same boilerplate), so the generator's catalogue, whose truth is known, adds
them: a seed of its own (``GENERATOR_SEED``), never the one the tests or the benchmark score. Counts are
smoothed (half a pair in every level), so a level seen only among true pairs is strong
evidence, not certainty. The score of a pair is the sum of its levels' weights; the match
threshold gives the best pairwise F1 on the same tuning pairs, set midway between the lowest
score it takes and the highest it leaves (the widest margin on both sides), and the
possible-duplicate threshold is four bits (16 times less likely) below it.

Run by ``./pipeline bench dedup --fit``, which then scores every variant with the new seed.
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import psycopg
from psycopg import sql

from bench.dedup_variants import VARIANTS, land_variant
from bench.harness import fresh_database
from devkit.dedup import generator_truth, land
from jobspikr_pipeline.connections import WAREHOUSE_CONN_ID
from local_stack.airflow_env import PROJECT_ROOT
from local_stack.embedded_warehouse import airflow_conn_json
from standin_api import Catalogue
from standin_api.legacy import LegacyScrape

SEED = PROJECT_ROOT / "dbt_project" / "seeds" / "dedup_match_weights.csv"
COMPARISONS = ("company", "title", "text", "salary", "posted", "flag")
#: The generator catalogue the fit counts (the tests score seed 21, the benchmark seed 42).
GENERATOR_SEED = 1000
GENERATOR_RECORDS = 3000
#: Bits between the match threshold and the possible-duplicate threshold.
POSSIBLE_MARGIN = 4.0


@dataclass(frozen=True)
class ScoredPair:
    levels: tuple[str, ...]
    same_job: bool
    records: tuple[str, str]


def scored_pairs(dsn: str, truth: Mapping[str, object]) -> tuple[list[ScoredPair], int]:
    """The scored candidate pairs among ``truth``'s records in ``dsn`` (landed, not built), built
    with every scored pair kept; and the number of true pairs among them (the ones never
    scored are misses too)."""
    from jobspikr_pipeline.dbt import run_dbt

    os.environ["AIRFLOW_CONN_WAREHOUSE_DEFAULT"] = airflow_conn_json(dsn)
    every_pair = {"dedup_keep_unmatched_pairs": True, "dedup_possible_title_similarity": 0}
    run_dbt(["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
             "--vars", json.dumps(every_pair)], conn_id=WAREHOUSE_CONN_ID)
    query = sql.SQL("select left_key, right_key, {} from intermediate.int_job_pairs__matched").format(
        sql.SQL(", ").join(sql.Identifier(f"{c}_level") for c in COMPARISONS))
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(query).fetchall()
    pairs = [ScoredPair(tuple(levels), truth[left] == truth[right], (left, right))
             for left, right, *levels in rows if left in truth and right in truth]
    sizes = Counter(truth.values())
    return pairs, sum(n * (n - 1) // 2 for n in sizes.values())


def smoothed(count: float, total: float, levels: int) -> float:
    """A level's share of ``total`` with half a pair added to each of a comparison's ``levels``."""
    return (count + 0.5) / (total + 0.5 * levels)


def weights(pairs: list[ScoredPair]) -> dict[tuple[str, str], tuple[float, int, int]]:
    """(comparison, level) -> (weight in bits, true pairs, other pairs)."""
    true_total = sum(p.same_job for p in pairs)
    other_total = len(pairs) - true_total
    fitted: dict[tuple[str, str], tuple[float, int, int]] = {}
    for i, comparison in enumerate(COMPARISONS):
        true_counts = Counter(p.levels[i] for p in pairs if p.same_job)
        other_counts = Counter(p.levels[i] for p in pairs if not p.same_job)
        levels = sorted(set(true_counts) | set(other_counts))
        for level in levels:
            m = smoothed(true_counts[level], true_total, len(levels))
            u = smoothed(other_counts[level], other_total, len(levels))
            fitted[comparison, level] = (round(math.log2(m / u), 3), true_counts[level], other_counts[level])
    return fitted


def match_threshold(pairs: list[ScoredPair], fitted: dict[tuple[str, str], tuple[float, int, int]],
                    true_pairs: int) -> float:
    """The score at or above which a pair is a match (see the module's docstring)."""
    scored = sorted((sum(fitted[c, level][0] for c, level in zip(COMPARISONS, p.levels, strict=True)), p.same_job)
                    for p in pairs)[::-1]
    best_n, best_f1, hits = 1, -1.0, 0
    for n, (score, same_job) in enumerate(scored, start=1):
        hits += same_job
        if n < len(scored) and scored[n][0] == score:
            continue  # a threshold takes every pair of a score or none
        precision, recall = hits / n, hits / max(true_pairs, 1)
        f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
        if f1 > best_f1:
            best_n, best_f1 = n, f1
    lowest_in = scored[best_n - 1][0]
    highest_out = scored[best_n][0] if best_n < len(scored) else lowest_in - 2 * POSSIBLE_MARGIN
    return round((lowest_in + highest_out) / 2, 3)


def write_seed(fitted: dict[tuple[str, str], tuple[float, int, int]], threshold: float, pairs: int) -> None:
    with SEED.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["comparison", "level", "weight", "true_pairs", "other_pairs"])
        for (comparison, level), (weight, true_count, other_count) in sorted(fitted.items()):
            writer.writerow([comparison, level, weight, true_count, other_count])
        writer.writerow(["threshold", "match", threshold, "", pairs])
        writer.writerow(["threshold", "possible", round(threshold - POSSIBLE_MARGIN, 3), "", pairs])


def fit(admin: str) -> None:
    """Fit on every tunable variant's tuning half, write the seed, and print what it says."""
    pairs: list[ScoredPair] = []
    true_pairs = 0
    for variant in VARIANTS:
        if variant.tunable:
            labelled = variant.build()
            dsn = fresh_database(admin, f"{variant.database}_fit")
            land_variant(dsn, labelled)
            found, total = scored_pairs(dsn, {key: labelled.truth[key] for key in labelled.keys_in("tuning")})
            pairs += found
            true_pairs += total
    catalogue = Catalogue(seed=GENERATOR_SEED, size=GENERATOR_RECORDS)
    legacy = LegacyScrape(catalogue, size=GENERATOR_RECORDS // 3)
    dsn = fresh_database(admin, "eval_dedup_generator_fit")
    land(dsn, catalogue, legacy)
    found, total = scored_pairs(dsn, generator_truth(catalogue, legacy))
    pairs += found
    true_pairs += total
    fitted = weights(pairs)
    threshold = match_threshold(pairs, fitted, true_pairs)
    write_seed(fitted, threshold, len(pairs))
    print(f"fitted on {len(pairs):,} scored tuning pairs ({sum(p.same_job for p in pairs):,} of them one job, "
          f"of {true_pairs:,} true pairs): match at score >= {threshold}; wrote {SEED.relative_to(PROJECT_ROOT)}")
    for (comparison, level), (weight, true_count, other_count) in sorted(fitted.items()):
        print(f"  {comparison:<8} {level:<12} {weight:>7.2f}   ({true_count} true, {other_count} other pairs)")
