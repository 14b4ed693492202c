"""``metadata_db_migrating``: ``airflow db migrate`` runs beside the block and is waited for,
its failure raised; a failing block does not wait for it. A stand-in ``airflow`` script
beside a stand-in interpreter plays the command."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from local_stack.airflow_env import metadata_db_migrating


def fake_airflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> Path:
    """An ``airflow`` executable running ``script`` (sh), found where the real one is: beside
    ``sys.executable``. Returns the file the script may write to."""
    out = tmp_path / "out"
    airflow = tmp_path / "airflow"
    airflow.write_text(f"#!/bin/sh\n{script.format(out=out)}\n")
    airflow.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    return out


def test_the_migration_runs_while_the_block_does_and_has_finished_after_it(tmp_path, monkeypatch) -> None:
    # The command finishes only once the block has begun (it waits up to 10 s for the block's
    # file, else fails): a migration waited for before the block would fail this.
    go = tmp_path / "go"
    out = fake_airflow(tmp_path, monkeypatch, f"for i in $(seq 200); do [ -e {go} ] && break; sleep 0.05; done; "
                                              f'[ -e {go} ] || exit 1; echo "$@" > {{out}}')
    with metadata_db_migrating():
        assert not out.exists()
        go.touch()
    assert out.read_text() == "db migrate\n"


def test_a_failed_migration_is_raised_when_the_block_ends(tmp_path, monkeypatch) -> None:
    fake_airflow(tmp_path, monkeypatch, "exit 3")
    with pytest.raises(subprocess.CalledProcessError) as failed, metadata_db_migrating():
        pass
    assert failed.value.returncode == 3


def test_a_failing_block_stops_the_migration_rather_than_wait_for_it(tmp_path, monkeypatch) -> None:
    out = fake_airflow(tmp_path, monkeypatch, "sleep 30; touch {out}")
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="warehouse down"), metadata_db_migrating():
        raise RuntimeError("warehouse down")
    assert time.monotonic() - started < 5 and not out.exists()
