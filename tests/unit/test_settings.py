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
