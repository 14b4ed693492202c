"""The matcher's fit (bench/fit_dedup_weights.py): m comes from the real copies, so drift they
show is not a veto; a placeholder never scores; the threshold is the model's own odds."""

from __future__ import annotations

import math

from bench.fit_dedup_weights import COMPARISONS, MATCH_ODDS, ScoredPair, match_threshold, weights

# levels in the order of COMPARISONS: company, title, text, salary, posted, flag
COPY = ("same", "same", "same", "agree", "same_day", "unflagged")
REPOSTED = ("same", "same", "same", "agree", "same_week", "unflagged")
PLACEHOLDER_COPY = ("missing", "same", "same", "agree", "same_day", "unflagged")
LOOK_ALIKES = [("same", title, "similar", "disagree", "same_week", "unflagged") for title in ("similar", "different")]
LOOK_ALIKE_WITHOUT_COMPANY = ("missing", "different", "similar", "disagree", "same_week", "unflagged")


def pairs(levels: tuple[str, ...], same_job: bool, count: int, name: str) -> list[ScoredPair]:
    return [ScoredPair(levels, same_job, (f"{name}{n}a", f"{name}{n}b")) for n in range(count)]


def real() -> list[ScoredPair]:
    return (pairs(COPY, True, 16, "copy") + pairs(REPOSTED, True, 2, "repost") + pairs(PLACEHOLDER_COPY, True, 4, "ph")
            + pairs(LOOK_ALIKES[0], False, 10, "sibling"))


def generated() -> list[ScoredPair]:
    """The generator's copies never drift; its look-alikes are many."""
    return (pairs(COPY, True, 200, "gen") + pairs(LOOK_ALIKES[0], False, 140, "gsib")
            + pairs(LOOK_ALIKES[1], False, 140, "gother") + pairs(LOOK_ALIKE_WITHOUT_COMPANY, False, 10, "gph"))


def score(levels: tuple[str, ...], fitted: dict[tuple[str, str], tuple[float, int, int]]) -> float:
    return sum(fitted[c, level][0] for c, level in zip(COMPARISONS, levels, strict=True))


def test_drift_the_real_copies_show_costs_bits_where_the_generators_copies_would_veto_it() -> None:
    fitted = weights(real(), generated())
    counted_with_generated_copies = weights(real() + generated(), [])
    assert fitted["posted", "same_week"][0] > -4 > -6 > counted_with_generated_copies["posted", "same_week"][0]
    # no real copy has a title that is only similar: it costs a copy bits, not the match
    threshold = match_threshold(real() + generated())
    drifted = ("same", "similar", "same", "agree", "same_day", "unflagged")
    assert -7 < fitted["title", "similar"][0] < -3
    assert score(drifted, fitted) >= threshold > score(LOOK_ALIKES[0], fitted)


def test_a_placeholder_company_weighs_nothing_however_many_copies_hold_one() -> None:
    fitted = weights(real(), generated())
    assert fitted["company", "missing"] == (0.0, 4, 10)
    assert score(LOOK_ALIKE_WITHOUT_COMPANY, fitted) < match_threshold(real() + generated())


def test_the_match_threshold_is_where_the_posterior_odds_reach_the_target() -> None:
    candidates = pairs(COPY, True, 100, "copy") + pairs(LOOK_ALIKES[0], False, 300, "sibling")
    # a quarter of the candidates are one job: prior odds 1 to 3, so 3 * MATCH_ODDS to reach it
    assert math.isclose(match_threshold(candidates), math.log2(3 * MATCH_ODDS), abs_tol=1e-3)
