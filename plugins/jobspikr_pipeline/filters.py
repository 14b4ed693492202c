"""Which JobsPikr records to fetch: a config file, overridden per run by the DAG's ``filters`` param.

The file is ``$JOBSPIKR_FILTERS_FILE`` or ``config/jobspikr_filters.json``; it is read when
the task runs, never when the DAG is parsed. Names and values are validated by
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


def load_query(param_filters: Mapping[str, Any] | None = None) -> JobsPikrQuery:
    path = Path(os.environ.get("JOBSPIKR_FILTERS_FILE", DEFAULT_FILTERS_FILE))
    file_filters: dict[str, Any] = {}
    if path.exists():
        try:
            file_filters = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise JobsPikrConfigError(f"filters file {path} is not valid JSON: {exc}") from exc
        if not isinstance(file_filters, dict):
            raise JobsPikrConfigError(f"filters file {path} must hold a JSON object of filters")
    return JobsPikrQuery.from_mapping({**file_filters, **(param_filters or {})})
