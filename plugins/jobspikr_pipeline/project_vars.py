"""The dbt project's vars (``dbt_project/dbt_project.yml``) for the Python code that follows
the same settings as the SQL: each is defined once, there, and read by both."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

DBT_PROJECT_FILE = Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml"


@cache
def project_var(name: str) -> Any:
    """The value of var ``name`` as ``dbt_project.yml`` sets it."""
    return yaml.safe_load(DBT_PROJECT_FILE.read_text())["vars"][name]


def completeness_fields() -> tuple[str, ...]:
    """The fields whose presence the cutover measures (``completeness_<field>_pct``), in order."""
    return tuple(project_var("completeness_fields"))
