"""The `jobspikr` connection type is registered with Airflow (through the project's provider
entry point), and the connection form the UI builds from it saves extras the hook accepts."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any, Optional

import pytest
from airflow.api_fastapi.core_api.services.ui.connections import HookMetaService
from airflow.sdk import Connection

from jobspikr.errors import JobsPikrConfigError
from jobspikr.hook import JobsPikrHook
from jobspikr.provider import json_types
from jobspikr.settings import JobsPikrSettings


@pytest.fixture(scope="module")
def form() -> Any:
    """What the api-server sends the UI to draw the JobsPikr connection form."""
    return {meta.connection_type: meta for meta in HookMetaService.hook_meta_data()}.get("jobspikr")


def test_a_jobspikr_connection_gives_the_jobspikr_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    """As Airflow resolves a connection's hook (``Connection.get_hook``, the UI's Test button)."""
    monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_FORM", json.dumps({
        "conn_type": "jobspikr", "host": "http://127.0.0.1:9/v2", "login": "acme", "password": "key",
        "extra": {"page_size": 50}}))
    hook = Connection.get("jobspikr_form").get_hook()
    assert isinstance(hook, JobsPikrHook), "is the project installed? ./pipeline does `pip install -e .`"
    assert (hook.jobspikr_conn_id, hook.primary, hook.settings.page_size) == \
        ("jobspikr_form", "http://127.0.0.1:9/v2", 50)


def test_the_form_names_the_fields_as_jobspikr_does(form: Any) -> None:
    assert form is not None and form.hook_name == "JobsPikr"
    fields_ = form.standard_fields
    assert (fields_.host.title, fields_.login.title, fields_.password.title) == \
        ("Base URL", "Client ID", "Client auth key")
    assert fields_.url_schema.hidden and fields_.port.hidden
    assert fields_.host.placeholder == "https://api.jobspikr.com/v2"


def test_every_extra_has_its_own_field_with_the_default(form: Any) -> None:
    assert list(form.extra_fields) == [f.name for f in fields(JobsPikrSettings)]
    defaults = asdict(JobsPikrSettings())
    assert {name: field["value"] for name, field in form.extra_fields.items()} == defaults
    assert all(field["description"] for field in form.extra_fields.values())


def test_extras_as_the_form_saves_them_are_accepted(form: Any) -> None:
    """The form saves every field: the defaults it shows as text, empty ones as null
    (tests/integration/test_connection_form.py saves one in the UI)."""
    saved = {name: None if field["value"] is None else str(field["value"]) if isinstance(field["value"], str)
             else f"{field['value']:g}" for name, field in form.extra_fields.items()}
    assert JobsPikrSettings.from_extras(saved) == JobsPikrSettings()
    assert JobsPikrSettings.from_extras({**saved, "page_size": "", "backup_host": None}) == JobsPikrSettings()
    with pytest.raises(JobsPikrConfigError, match="page_size"):
        JobsPikrSettings.from_extras({**saved, "page_size": 500})


@pytest.mark.parametrize(("annotation", "expected"), [
    (bool, ["boolean", "null"]), (int, ["integer", "null"]), (float, ["number", "null"]), (str, ["string", "null"]),
    (int | None, ["integer", "null"]), (str | None, ["string", "null"]), (Optional[float], ["number", "null"]),  # noqa: UP045
    (int | float, ["integer", "number", "null"]),
])
def test_every_setting_type_has_its_form_type(annotation: Any, expected: list[str]) -> None:
    assert json_types(annotation) == expected


def test_a_setting_type_the_form_cannot_offer_is_named() -> None:
    with pytest.raises(TypeError, match=r"list\[int\]"):
        json_types(list[int])
