"""The slow tests start first on every worker (devkit/suite.py: slow_first)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from devkit.suite import slow_first


def xdist_shares(items: list[str], workers: int) -> list[list[str]]:
    """How xdist's work-stealing scheduler first splits a collection: in order, what is left
    over the workers left."""
    shares, start = [], 0
    for worker in range(workers):
        size = (len(items) - start) // (workers - worker)
        shares.append(items[start:start + size])
        start += size
    return shares


def test_two_workers_each_start_with_their_slow_tests() -> None:
    items = [f"fast{n}" for n in range(8)] + ["slowA", "fast8", "slowB", "slowC"]
    ordered = slow_first(items, lambda name: name.startswith("slow"), workers=2)
    assert xdist_shares(ordered, 2) == [["slowA", "slowC", "fast0", "fast1", "fast2", "fast3"],
                                        ["slowB", "fast4", "fast5", "fast6", "fast7", "fast8"]]


@given(st.lists(st.booleans(), max_size=60), st.integers(min_value=1, max_value=5))
def test_every_test_once_each_share_starts_with_its_slow_ones(slowness: list[bool], workers: int) -> None:
    items = [(n, slow) for n, slow in enumerate(slowness)]
    ordered = slow_first(items, lambda item: item[1], workers=workers)
    assert sorted(ordered) == items
    assert [n for n, slow in ordered if not slow] == [n for n, slow in items if not slow]   # the rest keep their order
    if len(items) // workers < -(-sum(slowness) // workers):
        return   # a share too small for its slow tests: nothing to hold but the above
    for share in xdist_shares(ordered, workers):
        flags = [slow for _, slow in share]
        assert flags == sorted(flags, reverse=True)   # no slow test after a fast one
    assert [sum(slow for _, slow in share) for share in xdist_shares(ordered, workers)] == [
        len([item for item in items if item[1]][w::workers]) for w in range(workers)]
