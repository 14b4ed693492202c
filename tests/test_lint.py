"""The dbt project's SQL, linted by sqlfluff with the project's configuration
(dbt_project/.sqlfluff: postgres, the jinja templater with dbt's builtins, the project's
macros and vars; the rules turned off there say why; dbt_project/.sqlfluffignore names what
is not linted, and why). Any finding fails, so the lint stays at zero."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

DBT_PROJECT = Path(__file__).resolve().parents[1] / "dbt_project"
LINTED = ["models", "macros", "snapshots", "analyses", "tests"]


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
