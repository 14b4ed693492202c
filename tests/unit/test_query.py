"""The filter builder: structure, validation, and hostile values that must stay plain text."""

from __future__ import annotations

import json
from datetime import date

import pytest

from jobspikr.errors import JobsPikrConfigError
from jobspikr.query import JobsPikrQuery, quote_phrase
from standin_api.search import matches


def test_filters_become_one_bool_query_with_date_range() -> None:
    query = JobsPikrQuery.from_mapping({
        "job_title": ["data engineer", "analytics engineer"], "state": "TX",
        "post_date_from": "2021-10-01", "post_date_to": "2021-10-08", "exclude_company_name": ["Unspecified"]})
    assert query.search_query_json() == {"bool": {
        "must": [
            {"query_string": {"fields": ["job_title", "inferred_job_title"],
                              "query": '"data engineer" OR "analytics engineer"'}},
            {"query_string": {"fields": ["state", "inferred_state"], "query": '"TX"'}},
            {"range": {"post_date": {"gte": "2021-10-01", "lte": "2021-10-08"}}},
        ],
        "must_not": [{"query_string": {"default_field": "company_name", "query": '"Unspecified"'}}],
    }}


def test_no_filters_match_everything() -> None:
    assert JobsPikrQuery().search_query_json() == {"bool": {"must": [{"match_all": {}}]}}


@pytest.mark.parametrize("hostile", [
    'x" OR "', '") OR job_title:(*', "a\\", '\\" OR \\"', "* OR company_name:*", '"}]}, "x": {"',
])
def test_hostile_values_stay_one_literal_phrase(hostile: str) -> None:
    query = JobsPikrQuery(company_name=(hostile,))
    clause = query.search_query_json()["bool"]["must"][0]["query_string"]
    assert clause["default_field"] == "company_name"  # no field added or changed
    assert clause["query"] == quote_phrase(hostile)
    # JSON structure is unchanged: one must clause, whatever the value holds.
    assert json.loads(json.dumps(query.search_query_json())) == query.search_query_json()
    # Evaluated by the stand-in, the phrase matches the literal text only.
    assert matches(query.search_query_json(), {"company_name": f"ACME {hostile} inc"})
    assert not matches(query.search_query_json(), {"company_name": "ACME"})


@pytest.mark.parametrize(("filters", "names"), [
    ({"job_titel": ["x"]}, "job_titel"),
    ({"post_date_from": "yesterday"}, "post_date_from"),
    ({"dataset": ["everything"]}, "dataset"),
    ({"city": [""]}, "city"),
    ({"post_date_from": "2021-10-09", "post_date_to": "2021-10-01"}, "post_date_from"),
])
def test_bad_filters_fail_naming_the_filter(filters: dict[str, object], names: str) -> None:
    with pytest.raises(JobsPikrConfigError, match=names):
        JobsPikrQuery.from_mapping(filters)


def test_watermark_key_ignores_the_date_range_but_not_the_filters() -> None:
    base = JobsPikrQuery(job_title=("data engineer",))
    assert base.key() == base.with_post_dates(date(2021, 1, 1), date(2021, 1, 2)).key()
    assert base.key() != JobsPikrQuery(job_title=("data scientist",)).key()
