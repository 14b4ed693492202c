"""Filters come in three layers (file < Airflow Variable < DAG param), all read at run time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jobspikr.errors import JobsPikrConfigError
from jobspikr_pipeline.filters import load_query


@pytest.fixture
def filters_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "filters.json"
    path.write_text(json.dumps({"country": ["United States"], "job_title": ["nurse"]}))
    monkeypatch.setenv("JOBSPIKR_FILTERS_FILE", str(path))
    return path


def test_variable_overrides_the_file_and_the_param_overrides_both(filters_file: Path) -> None:
    assert load_query().job_title == ("nurse",)
    variable = json.dumps({"job_title": ["data engineer"], "city": ["Austin"]})
    from_variable = load_query(None, variable)
    assert (from_variable.job_title, from_variable.city, from_variable.country) == \
        (("data engineer",), ("Austin",), ("United States",))
    from_param = load_query({"city": ["Boston"]}, variable)
    assert (from_param.job_title, from_param.city) == (("data engineer",), ("Boston",))


@pytest.mark.parametrize(("value", "message"), [
    ("{not json", "Airflow Variable jobspikr_filters is not valid JSON"),
    ('["nurse"]', "Airflow Variable jobspikr_filters must hold a JSON object"),
    ('{"titel": ["nurse"]}', "unknown JobsPikr filter(s) ['titel']"),
])
def test_a_bad_variable_fails_naming_the_setting(filters_file: Path, value: str, message: str) -> None:
    with pytest.raises(JobsPikrConfigError) as error:
        load_query(None, value)
    assert message in str(error.value)
