"""Fit the matcher's weights: ``dbt_project/seeds/dedup_match_weights.csv``.

A Fellegi-Sunter model, as Splink fits one from labels: every candidate pair the matcher
scores is cut into levels per comparison (``comparison_levels`` in
``dbt_project/macros/matching/match_score.sql``). A level's weight is

    log2(m / u),  m = P(level | the pair is one job),  u = P(level | it is not),

counted over the candidate pairs (every pair in one place that shares a blocking key or
JobsPikr's duplicate flag, however unlike its titles and whatever its terms) of the **tuning
halves** of the tunable variants of the labelled real set (``bench/dedup_variants.py``: the
real rows, and the same rows with the API's quirks); never over a held-out half, never over
the drift variants.

- **m comes from the real rows' copies only.** The generator's copies never drift (same
  title, same text, same day), so m counted over them makes every drift nobody generated a
  veto of about -10 bits, learnt from an absence. The real rows' copies do drift (a repost
  days later, a reflowed text), and with half a pair added to every level (``smoothed``) a
  level none of the hundred or so real copies shows costs a copy five to seven bits, not
  the match.
- **u comes from every look-alike**: the real rows hold few pairs that are not one job (a
  same-company sibling role with the same boilerplate), so the generator's catalogue, whose
  truth is known, adds them (a seed of its own, ``GENERATOR_SEED``, never the one the tests
  or the benchmark score). u counts pairs whatever their terms, as Splink counts u over
  random pairs, not only over the pairs the rules leave.
- **A placeholder company is no evidence** (``NO_EVIDENCE``): it weighs 0, whatever the
  quirks variant's copies say, so a placeholder never scores.

What makes a job another job (its place, its level, its employment type, its pay) is a rule
in the pair model (``same_place``, ``same_terms``), never weighed. The score of a pair is
the sum of its levels' weights. The match threshold is where the model's odds that a pair
is one job reach ``MATCH_ODDS``, given the share of true pairs among the tuning candidates
(a posterior; a threshold fitted to the tuning pairs would sit anywhere in the wide gap
between their copies and the rest); the possible-duplicate threshold is four bits (16
times less likely) below it.

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
#: Levels that say nothing of a match: weighed 0 (see the docstring).
NO_EVIDENCE = {("company", "missing")}
#: A pair is a match when the model puts it at these odds or better of being one job (90%).
MATCH_ODDS = 9.0


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
    every_pair = {"dedup_keep_unmatched_pairs": True, "dedup_possible_title_similarity": 0,
                  "dedup_score_other_terms": True}
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


def weights(real: list[ScoredPair], generated: list[ScoredPair]) -> dict[tuple[str, str], tuple[float, int, int]]:
    """(comparison, level) -> (weight in bits, true pairs, other pairs): m over the ``real``
    rows' true pairs, u over the other pairs of both."""
    copies = [p for p in real if p.same_job]
    look_alikes = [p for p in real + generated if not p.same_job]
    fitted: dict[tuple[str, str], tuple[float, int, int]] = {}
    for i, comparison in enumerate(COMPARISONS):
        true_counts = Counter(p.levels[i] for p in copies)
        other_counts = Counter(p.levels[i] for p in look_alikes)
        levels = sorted(set(true_counts) | set(other_counts))
        for level in levels:
            m = smoothed(true_counts[level], len(copies), len(levels))
            u = smoothed(other_counts[level], len(look_alikes), len(levels))
            weight = 0.0 if (comparison, level) in NO_EVIDENCE else round(math.log2(m / u), 3)
            fitted[comparison, level] = (weight, true_counts[level], other_counts[level])
    return fitted


def match_threshold(pairs: list[ScoredPair]) -> float:
    """The score at or above which a pair is a match: the log-odds (in bits) that turn the
    tuning candidates' share of true pairs into ``MATCH_ODDS``."""
    true_share = sum(p.same_job for p in pairs) / len(pairs)
    return round(math.log2((1 - true_share) / true_share) + math.log2(MATCH_ODDS), 3)


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
    real: list[ScoredPair] = []
    true_pairs = 0
    for variant in VARIANTS:
        if variant.tunable:
            labelled = variant.build()
            dsn = fresh_database(admin, f"{variant.database}_fit")
            land_variant(dsn, labelled)
            found, total = scored_pairs(dsn, {key: labelled.truth[key] for key in labelled.keys_in("tuning")})
            real += found
            true_pairs += total
    catalogue = Catalogue(seed=GENERATOR_SEED, size=GENERATOR_RECORDS)
    legacy = LegacyScrape(catalogue, size=GENERATOR_RECORDS // 3)
    dsn = fresh_database(admin, "eval_dedup_generator_fit")
    land(dsn, catalogue, legacy)
    generated, _ = scored_pairs(dsn, generator_truth(catalogue, legacy))
    fitted = weights(real, generated)
    threshold = match_threshold(real + generated)
    write_seed(fitted, threshold, len(real) + len(generated))
    print(f"fitted m on {sum(p.same_job for p in real):,} real tuning copies (of {true_pairs:,} true pairs), "
          f"u on {sum(not p.same_job for p in real + generated):,} look-alikes, real and generated: "
          f"match at score >= {threshold}; wrote {SEED.relative_to(PROJECT_ROOT)}")
    for (comparison, level), (weight, true_count, other_count) in sorted(fitted.items()):
        print(f"  {comparison:<8} {level:<12} {weight:>7.2f}   ({true_count} true, {other_count} other pairs)")
