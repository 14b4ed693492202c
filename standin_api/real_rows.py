"""The real JobsPikr rows of ``../shared/data/jobspikr/export_2021.csv``, as the API sends them.

The labelled deduplication set is built from them (``bench/dedup_real.py``), and the stand-in
serves records of their size and shape (``Catalogue(real_rows=True)``, about 10 KB each
against the generator's 2.4 KB), so the load benchmarks measure what a real page costs. The
text is read at run time, never copied into the repository.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path
from typing import Any

REAL_EXPORT = Path(__file__).resolve().parents[2] / "shared" / "data" / "jobspikr" / "export_2021.csv"
_INT_FIELDS = frozenset({"cursor", "inferred_department_score", "inferred_company_type_score"})
_NUMBER_FIELDS = frozenset({"inferred_salary_from", "inferred_salary_to"})


def api_record(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row as the API sends it: ints and numbers typed, empty fields null."""
    record: dict[str, Any] = {}
    for name, value in row.items():
        if value == "":
            record[name] = None
        elif name in _INT_FIELDS:
            record[name] = int(value)
        elif name in _NUMBER_FIELDS:
            record[name] = float(value)
        else:
            record[name] = value
    return record


@lru_cache(maxsize=1)
def real_records(path: Path = REAL_EXPORT) -> tuple[dict[str, Any], ...]:
    """Every row of the export, as API records."""
    with path.open(newline="", encoding="utf-8") as export:
        return tuple(api_record(row) for row in csv.DictReader(export))
