"""The dbt project's vars for sqlfluff's jinja templater (../../.sqlfluff): read from
dbt_project.yml, so `var()` renders as dbt renders it and no value is repeated here."""

from pathlib import Path

import yaml

VARS = yaml.safe_load((Path(__file__).resolve().parents[2] / "dbt_project.yml").read_text())["vars"]
