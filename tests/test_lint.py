"""The ecosystem's own linters, with the project's configuration, find nothing: any finding
fails, so the lint stays at zero.

- ruff reads ``pyproject.toml`` (with Airflow's ``AIR`` rules); a rule turned off says why.
- sqlfluff lints the dbt project's SQL (``dbt_project/.sqlfluff``: postgres, the jinja
  templater with dbt's builtins, the project's macros and vars; the rules turned off there
  say why; ``dbt_project/.sqlfluffignore`` names what is not linted, and why)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT = ROOT / "dbt_project"
LINTED = ["models", "macros", "snapshots", "analyses", "tests"]


def test_ruff_finds_nothing() -> None:
    found = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
                           cwd=ROOT, capture_output=True, text=True, check=False)
    assert found.returncode == 0, f"ruff findings (fix them, or turn the rule off with a reason):\n{found.stdout}"


def test_sqlfluff_finds_nothing_in_the_dbt_project() -> None:
    paths = [d for d in LINTED if (DBT_PROJECT / d).is_dir()]
    result = subprocess.run(
        [str(Path(sys.executable).with_name("sqlfluff")), "lint", *paths, "--format", "json", "--processes", "2",
         "--disable-progress-bar"],
        cwd=DBT_PROJECT, capture_output=True, text=True, check=False)
    assert result.stdout.strip(), result.stderr[-3000:]
    findings = [f"{Path(report['filepath'])}:{v['start_line_no']}: {v['code']} {v['description']}"
                for report in json.loads(result.stdout) for v in report["violations"]]
    assert findings == [], "\n".join(findings)
    assert result.returncode == 0, result.stderr[-3000:]
