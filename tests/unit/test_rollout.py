"""Feature flags and A/B assignment: deterministic, proportional, monotone; clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobspikr_pipeline.rollout import FlagError, SourceFlag, consumer_bucket, read_flags, set_flags

IDS = [f"consumer-{n}" for n in range(20_000)]


def flag(source: str, percent: int, side: str, enabled: bool = True) -> SourceFlag:
    return SourceFlag(source, enabled, percent, side, "")


def test_buckets_are_stable_and_uniform() -> None:
    buckets = [consumer_bucket(i) for i in IDS]
    assert buckets == [consumer_bucket(i) for i in IDS]
    for percent in (1, 10, 30, 50, 90):
        share = sum(b < percent for b in buckets) / len(buckets)
        assert abs(share - percent / 100) < 0.015, (percent, share)


def test_rollout_ranges_split_consumers_as_the_percentages_say() -> None:
    jobspikr, legacy = flag("jobspikr", 30, "low"), flag("legacy", 100, "high")
    served = [(jobspikr.serves(b), legacy.serves(b)) for b in range(100)]
    assert served.count((True, True)) == 30 and served.count((False, True)) == 70
    # an even A/B split: every consumer gets exactly one source
    jobspikr, legacy = flag("jobspikr", 50, "low"), flag("legacy", 50, "high")
    assert all(jobspikr.serves(b) != legacy.serves(b) for b in range(100))
    # a disabled source is served to nobody, whatever its percentage
    assert not any(flag("legacy", 100, "high", enabled=False).serves(b) for b in range(100))


def test_raising_a_percentage_only_adds_consumers() -> None:
    before = {i for i in IDS if flag("jobspikr", 20, "low").serves(consumer_bucket(i))}
    after = {i for i in IDS if flag("jobspikr", 35, "low").serves(consumer_bucket(i))}
    assert before < after


def test_flags_file_round_trips_and_rejects_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "source_flags.csv"
    path.write_text("source,enabled,rollout_percent,rollout_from,description\n"
                    "jobspikr,true,100,low,new\nlegacy,true,100,high,old\n")
    flags = set_flags({"jobspikr": {"enabled": False}}, path)
    assert not flags["jobspikr"].enabled and read_flags(path) == flags
    with pytest.raises(FlagError, match="no source bogus"):
        set_flags({"bogus": {"enabled": True}}, path)
    path.write_text("source,enabled,rollout_percent,rollout_from,description\njobspikr,true,150,low,x\n")
    with pytest.raises(FlagError, match=r"source_flags.csv:2: rollout_percent must be 0-100"):
        read_flags(path)
    path.write_text("source,enabled\njobspikr,true\n")
    with pytest.raises(FlagError, match="expected columns source, enabled, rollout_percent"):
        read_flags(path)


def test_the_repository_flags_file_is_valid() -> None:
    flags = read_flags()
    assert set(flags) == {"jobspikr", "legacy"}
