"""Which JobsPikr records to fetch, in three layers, each overriding the one before:

1. the config file, ``$JOBSPIKR_FILTERS_FILE`` or ``config/jobspikr_filters.json`` (in git);
2. the Airflow Variable ``jobspikr_filters`` (a JSON object; operators change it in the UI);
3. the DAG's ``filters`` param (one run, e.g. a manual backfill of one company).

All are read when the task runs, never when the DAG is parsed. Names and values are validated by
:class:`jobspikr.query.JobsPikrQuery`, so a typo fails the run at its start.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jobspikr.errors import JobsPikrConfigError
from jobspikr.query import JobsPikrQuery
from jobspikr_pipeline import PROJECT_ROOT

DEFAULT_FILTERS_FILE = PROJECT_ROOT / "config" / "jobspikr_filters.json"


#: The Airflow Variable holding the operators' filters (layer 2).
FILTERS_VARIABLE = "jobspikr_filters"


def load_query(param_filters: Mapping[str, Any] | None = None,
               variable_filters: str | None = None) -> JobsPikrQuery:
    """The query from the three layers; ``variable_filters`` is the Variable's raw value."""
    variable: dict[str, Any] = {}
    if variable_filters:
        try:
            variable = json.loads(variable_filters)
        except json.JSONDecodeError as exc:
            raise JobsPikrConfigError(f"Airflow Variable {FILTERS_VARIABLE} is not valid JSON: {exc}") from exc
        if not isinstance(variable, dict):
            raise JobsPikrConfigError(f"Airflow Variable {FILTERS_VARIABLE} must hold a JSON object of filters")
    path = Path(os.environ.get("JOBSPIKR_FILTERS_FILE", DEFAULT_FILTERS_FILE))
    file_filters: dict[str, Any] = {}
    if path.exists():
        try:
            file_filters = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise JobsPikrConfigError(f"filters file {path} is not valid JSON: {exc}") from exc
        if not isinstance(file_filters, dict):
            raise JobsPikrConfigError(f"filters file {path} must hold a JSON object of filters")
    return JobsPikrQuery.from_mapping({**file_filters, **variable, **(param_filters or {})})
