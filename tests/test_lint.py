"""The ecosystem's own linters, with the project's configuration, find nothing.

ruff reads ``pyproject.toml`` (with Airflow's ``AIR`` rules); a rule turned off says why
there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing() -> None:
    found = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
                           cwd=ROOT, capture_output=True, text=True, check=False)
    assert found.returncode == 0, f"ruff findings (fix them, or turn the rule off with a reason):\n{found.stdout}"
