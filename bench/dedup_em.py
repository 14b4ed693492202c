"""Would m-probabilities estimated on the data itself reach drift the labels never showed?

An experiment for issue 31, run as ``./pipeline bench dedup-em``; it changes nothing in the
product. The marts' weights (seed ``dedup_match_weights``) come from labelled tuning pairs
without drift: a level no true tuning pair holds (a title that is only similar, say) gets a
weight of about -10 bits, a veto, whatever the drift that caused it. Splink estimates the
m-probabilities instead by expectation maximisation on the unlabelled pairs being matched.

Decided before the first run, and not changed after it: for each labelled variant, every
candidate pair in one place is scored (``bench/fit_dedup_weights.py``: ``scored_pairs``),
then plain EM (no prior) runs 25 rounds on that variant's own pairs, both halves, no label
read: u stays the seed's (the share of each level among pairs that are not one job, from
the labels, as Splink takes u from random pairs), m starts at the seed's and is re-estimated
each round from the pairs' match probabilities, and the share of matches with it. A pair
is a match when its score under the estimated weights reaches the seed's match threshold.
Printed: pairwise precision and recall on the held-out half, with the seed's weights and
with the estimated ones, the same decision rule for both and no clustering (so the seed's
figures here differ from the marts' in ``bench/results/dedup.md``).
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Mapping

from bench.dedup_variants import VARIANTS, land_variant
from bench.eval_dedup import HIDDEN_KINDS, shows_kinds
from bench.fit_dedup_weights import COMPARISONS, SEED, ScoredPair, scored_pairs, smoothed
from bench.harness import fresh_database, postgres_admin
from local_stack.airflow_env import configure_airflow_env

ROUNDS = 25

Levels = dict[tuple[str, str], float]


def seed_probabilities() -> tuple[Levels, Levels, float]:
    """m and u of each level as the seed's counts give them (smoothed as the fit smooths
    them), and the match threshold."""
    true_counts: Counter[tuple[str, str]] = Counter()
    other_counts: Counter[tuple[str, str]] = Counter()
    threshold = 0.0
    with SEED.open(encoding="utf-8") as seed:
        for row in csv.DictReader(seed):
            if row["comparison"] == "threshold":
                threshold = float(row["weight"]) if row["level"] == "match" else threshold
                continue
            key = (row["comparison"], row["level"])
            true_counts[key], other_counts[key] = int(row["true_pairs"]), int(row["other_pairs"])
    m: Levels = {}
    u: Levels = {}
    for comparison in COMPARISONS:
        keys = [key for key in true_counts if key[0] == comparison]
        true_total = sum(true_counts[k] for k in keys)
        other_total = sum(other_counts[k] for k in keys)
        for key in keys:
            m[key] = smoothed(true_counts[key], true_total, len(keys))
            u[key] = smoothed(other_counts[key], other_total, len(keys))
    return m, u, threshold


def level_keys(pair: ScoredPair) -> list[tuple[str, str]]:
    return list(zip(COMPARISONS, pair.levels, strict=True))


def score(pair: ScoredPair, m: Levels, u: Levels) -> float:
    """The pair's score in bits; a level the seed never saw counts 0, as in the marts."""
    return sum(math.log2(m[key] / u[key]) for key in level_keys(pair) if key in m and key in u)


def estimate_m(pairs: list[ScoredPair], m: Levels, u: Levels, threshold: float) -> Levels:
    """``ROUNDS`` rounds of EM on the pairs' levels (their labels unread): u fixed, m and the
    share of matches re-estimated."""
    share = max(sum(score(p, m, u) >= threshold for p in pairs) / max(len(pairs), 1), 1e-3)
    for _ in range(ROUNDS):
        expected: Counter[tuple[str, str]] = Counter()
        total = 0.0
        for pair in pairs:
            odds = share / (1 - share) * 2 ** score(pair, m, u)
            probability = odds / (1 + odds)
            total += probability
            for key in level_keys(pair):
                expected[key] += probability
        share = min(max(total / len(pairs), 1e-6), 1 - 1e-6)
        estimated: Levels = {}
        for comparison in COMPARISONS:
            keys = [key for key in m if key[0] == comparison]
            for key in keys:
                estimated[key] = smoothed(expected[key], total, len(keys))
        m = estimated
    return m


def pairwise(pairs: list[ScoredPair], keys: set[str], truth: Mapping[str, str], m: Levels, u: Levels,
             threshold: float) -> tuple[float, float]:
    """Pairwise precision and recall among ``keys`` (every true pair counts, scored or not)."""
    sizes = Counter(truth[key] for key in keys)
    true_pairs = sum(n * (n - 1) // 2 for n in sizes.values())
    decided = [p for p in pairs if set(p.records) <= keys and score(p, m, u) >= threshold]
    hits = sum(p.same_job for p in decided)
    return hits / max(len(decided), 1), hits / max(true_pairs, 1)


def main() -> None:
    configure_airflow_env()
    m0, u, threshold = seed_probabilities()
    print(f"EM on each variant's own candidate pairs ({ROUNDS} rounds, u and the threshold {threshold} "
          "from the seed); pairwise P / R on the held-out half, no clustering")
    with postgres_admin() as admin:
        for variant in VARIANTS:
            labelled = variant.build()
            dsn = fresh_database(admin, f"{variant.database}_em")
            land_variant(dsn, labelled)
            pairs, _ = scored_pairs(dsn, labelled.truth)
            m = estimate_m(pairs, m0, u, threshold)
            held_out = set(labelled.keys_in("held-out"))
            seed_p, seed_r = pairwise(pairs, held_out, labelled.truth, m0, u, threshold)
            em_p, em_r = pairwise(pairs, held_out, labelled.truth, m, u, threshold)
            print(f"  {variant.name:<7} seed weights P {seed_p:.3f} R {seed_r:.3f}   "
                  f"estimated on its pairs P {em_p:.3f} R {em_r:.3f}   ({len(pairs):,} candidate pairs)")
            if not shows_kinds(variant):  # which levels moved would hint at a sealed variant's kinds
                print(HIDDEN_KINDS)
                continue
            moved = sorted(((math.log2(m[k] / u[k]) - math.log2(m0[k] / u[k]), k) for k in m), reverse=True)
            print("          weights moved most: " + ", ".join(
                f"{c}:{level} {delta:+.1f}" for delta, (c, level) in moved[:3] + moved[-3:]))


if __name__ == "__main__":
    main()
