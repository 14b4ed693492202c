"""The EM experiment's estimator (bench/dedup_em.py) learns a level from unlabelled pairs."""

from __future__ import annotations

from bench.dedup_em import Levels, estimate_m, score
from bench.fit_dedup_weights import COMPARISONS, ScoredPair

#: A copy that agrees on everything but a title that is only similar; two jobs that share nothing.
DRIFTED = ("same", "similar", "same", "agree", "same_day", "unflagged")
UNLIKE = ("same", "different", "similar", "disagree", "same_week", "unflagged")
THRESHOLD = 4.0


def vetoing_probabilities() -> tuple[Levels, Levels]:
    """m and u as a fit on labelled copies that never drift gives them: a title that is only
    similar is about a thousand times rarer among true pairs than among the others."""
    m: Levels = {}
    u: Levels = {}
    for comparison, copy_level, unlike_level in zip(COMPARISONS, DRIFTED, UNLIKE, strict=True):
        m[comparison, copy_level], u[comparison, copy_level] = 0.6, 0.2
        if unlike_level != copy_level:
            m[comparison, unlike_level], u[comparison, unlike_level] = 0.4, 0.8
    m["title", "same"], u["title", "same"] = 0.999, 0.1
    m["title", "similar"], u["title", "similar"] = 0.0005, 0.45
    m["title", "different"], u["title", "different"] = 0.0005, 0.45
    return m, u


def test_a_level_common_among_likely_matches_loses_its_veto() -> None:
    m, u = vetoing_probabilities()
    pairs = [ScoredPair(DRIFTED, True, (f"a{n}", f"b{n}")) for n in range(40)]
    pairs += [ScoredPair(UNLIKE, False, (f"c{n}", f"d{n}")) for n in range(400)]
    assert score(pairs[0], m, u) < THRESHOLD   # title:similar vetoes the copy
    estimated = estimate_m(pairs, m, u, THRESHOLD)
    assert estimated[("title", "similar")] > 10 * m[("title", "similar")]
    assert score(pairs[0], estimated, u) >= THRESHOLD > score(pairs[-1], estimated, u)
    # the labels were never read: the same pairs labelled the other way estimate the same
    relabelled = [ScoredPair(p.levels, not p.same_job, p.records) for p in pairs]
    assert estimate_m(relabelled, m, u, THRESHOLD) == estimated
