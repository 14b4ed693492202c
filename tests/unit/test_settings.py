"""Connection extras and base URLs: defaults, and errors that name the setting."""

from __future__ import annotations

import pytest

from jobspikr.errors import JobsPikrConfigError
from jobspikr.settings import BACKUP_HOST, JobsPikrSettings, default_backup_for, normalise_base_url


def test_extras_override_defaults() -> None:
    settings = JobsPikrSettings.from_extras({"page_size": "50", "credit_floor": 10, "backup_host": "b.example"})
    assert (settings.page_size, settings.credit_floor) == (50, 10)
    assert settings.backup_host == "https://b.example/v2"


@pytest.mark.parametrize(("extras", "named"), [
    ({"page_size": -5}, "page_size"),
    ({"page_size": 1000}, "page_size"),
    ({"requests_per_minute": "fast"}, "requests_per_minute"),
    ({"pagesize": 10}, "pagesize"),
    ({"credit_floor": -1}, "credit_floor"),
    ({"retry_budget_seconds": 0}, "retry_budget_seconds"),
    ({"max_attempts": 6}, "max_attempts is replaced by retry_budget_seconds"),
])
def test_bad_extras_name_the_setting(extras: dict[str, object], named: str) -> None:
    with pytest.raises(JobsPikrConfigError, match=named):
        JobsPikrSettings.from_extras(extras)


def test_base_url_normalisation_and_https_rule() -> None:
    assert normalise_base_url("api.jobspikr.com") == "https://api.jobspikr.com/v2"
    assert normalise_base_url("http://127.0.0.1:8765/v2/") == "http://127.0.0.1:8765/v2"
    with pytest.raises(JobsPikrConfigError, match="plain HTTP"):
        normalise_base_url("http://api.jobspikr.com/v2")
    assert default_backup_for("https://api.jobspikr.com/v2") == BACKUP_HOST
    assert default_backup_for("http://127.0.0.1:1/v2") is None


def test_expired_jobs_extras_default_to_the_assumed_names_and_can_be_set() -> None:
    defaults = JobsPikrSettings()
    assert (defaults.expired_jobs_path, defaults.expired_jobs_from_param, defaults.expired_jobs_to_param) == \
        ("expired_jobs", "start_date", "end_date")
    settings = JobsPikrSettings.from_extras({"expired_jobs_path": " jobs/expired ", "expired_jobs_from_param": "from",
                                             "expired_jobs_to_param": "to", "page_size": ""})
    assert (settings.expired_jobs_path, settings.expired_jobs_from_param, settings.expired_jobs_to_param) == \
        ("jobs/expired", "from", "to")


@pytest.mark.parametrize(("extras", "named"), [
    ({"expired_jobs_path": "/expired_jobs"}, "expired_jobs_path"),
    ({"expired_jobs_path": "https://api.jobspikr.com/v2/expired"}, "expired_jobs_path"),
    ({"expired_jobs_path": "expired?x=1"}, "expired_jobs_path"),
    ({"expired_jobs_from_param": "start date"}, "expired_jobs_from_param"),
    ({"expired_jobs_to_param": "cursor"}, "expired_jobs_to_param"),
    ({"expired_jobs_from_param": "day", "expired_jobs_to_param": "day"}, "must differ"),
])
def test_bad_expired_jobs_extras_name_the_setting(extras: dict[str, object], named: str) -> None:
    with pytest.raises(JobsPikrConfigError, match=named):
        JobsPikrSettings.from_extras(extras)
