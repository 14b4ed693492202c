"""The source flags file: round trips, clear errors. (The A/B assignment the flags drive is
SQL's alone: tests/integration/test_cutover.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from jobspikr_pipeline.cutover.flags import FlagError, read_flags, set_flags


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
