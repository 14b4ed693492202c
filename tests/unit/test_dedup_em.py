"""The EM experiment's estimator (bench/dedup_em.py) learns a level from unlabelled pairs."""

from __future__ import annotations

from bench.dedup_em import estimate_m, score, seed_probabilities
from bench.fit_dedup_weights import ScoredPair

#: A copy that agrees on everything but a title that is only similar; two jobs that share nothing.
DRIFTED = ("same", "similar", "same", "agree", "same_day", "unflagged")
UNLIKE = ("same", "different", "similar", "disagree", "same_week", "unflagged")


def test_a_level_common_among_likely_matches_loses_its_veto() -> None:
    m, u, threshold = seed_probabilities()
    pairs = [ScoredPair(DRIFTED, True, (f"a{n}", f"b{n}")) for n in range(40)]
    pairs += [ScoredPair(UNLIKE, False, (f"c{n}", f"d{n}")) for n in range(400)]
    assert score(pairs[0], m, u) < threshold   # the seed's weights: title:similar vetoes the copy
    estimated = estimate_m(pairs, m, u, threshold)
    assert estimated[("title", "similar")] > 10 * m[("title", "similar")]
    assert score(pairs[0], estimated, u) >= threshold > score(pairs[-1], estimated, u)
    # the labels were never read: the same pairs labelled the other way estimate the same
    relabelled = [ScoredPair(p.levels, not p.same_job, p.records) for p in pairs]
    assert estimate_m(relabelled, m, u, threshold) == estimated
