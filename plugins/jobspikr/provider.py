"""The ``jobspikr`` connection type, registered with Airflow as a provider package does.

Airflow finds connection types only through the ``apache_airflow_provider`` entry point of
an installed distribution (a plugin cannot add one). ``pyproject.toml`` declares it for this
project, and ``./pipeline`` (or the image's build) installs the project in editable mode, so
the Airflow UI's connection form offers "JobsPikr": Base URL, Client ID, Client auth key,
and one typed field per connection extra (:class:`JobsPikrSettings`). Airflow reads this
without importing the hook, which loads only when a connection is used.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from jobspikr.settings import BACKUP_HOST, PRIMARY_HOST, JobsPikrSettings

#: The distribution's name in pyproject.toml (Airflow checks that the two agree).
PACKAGE_NAME = "jobspikr-airflow"
CONN_TYPE = "jobspikr"
HOOK_NAME = "JobsPikr"

#: The standard fields of the connection form (the provider info spells the keys with dashes).
UI_FIELD_BEHAVIOUR: dict[str, Any] = {
    "hidden_fields": ["schema", "port"],
    "relabeling": {"host": "Base URL", "login": "Client ID", "password": "Client auth key"},
    "placeholders": {"host": PRIMARY_HOST, "login": "acme_jp_0123456789"},
}

#: What each extra does, as the form shows it (docs/configuration.md says more).
EXTRA_HELP = {
    "backup_host": f"Where to fail over when the primary keeps failing ({BACKUP_HOST} for the official host)",
    "page_size": "Records per request (1 to 100)",
    "requests_per_minute": "Client-side pace, shared by all fetches of a process",
    "connect_timeout": "Seconds to wait for a connection",
    "read_timeout": "Seconds to wait for a page",
    "credit_floor": "Stop before job_credit_remaining would fall below this",
    "retry_budget_seconds": "Seconds a request may keep retrying (429, 5xx, connection errors), across both hosts",
    "backoff_initial": "Seconds: first backoff (capped exponential, full jitter)",
    "backoff_max": "Seconds: longest backoff between tries",
    "retry_after_max": "Longest server Retry-After waited, in seconds",
    "failover_after": "Consecutive primary failures before switching to the backup",
    "parallel_days": "Post-date days fetched at once, within requests_per_minute",
    "expired_jobs_path": "Expired jobs API path under the Base URL (an assumption: JobsPikr does not publish it)",
    "expired_jobs_from_param": "Expired jobs API: query parameter of the first day (an assumption)",
    "expired_jobs_to_param": "Expired jobs API: query parameter of the last day (an assumption)",
}

#: JSON Schema's name for each Python type a setting may have (bool before int: a bool is an int).
_JSON_TYPES: tuple[tuple[type, str], ...] = ((bool, "boolean"), (int, "integer"), (float, "number"),
                                             (str, "string"), (type(None), "null"))


def json_types(annotation: Any) -> list[str]:
    """The JSON Schema types of a setting's annotation (``int``, ``float | None``, ...), plus
    ``null``: every extra is optional in the form (left empty, the setting's default holds).
    A type the form cannot offer fails here, when the provider is read, with its name."""
    names = []
    for member in get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,):
        name = next((json for python, json in _JSON_TYPES if member is python), None)
        if name is None:
            raise TypeError(f"a connection setting of type {annotation!r} has no form field; "
                            f"settings are {', '.join(python.__name__ for python, _ in _JSON_TYPES)}")
        names.append(name)
    return [*dict.fromkeys([*names, "null"])]


def extra_fields() -> dict[str, dict[str, Any]]:
    """One optional form field per :class:`JobsPikrSettings` field, with its default."""
    form: dict[str, dict[str, Any]] = {}
    annotations = get_type_hints(JobsPikrSettings)
    for setting in fields(JobsPikrSettings):
        schema: dict[str, Any] = {"type": json_types(annotations[setting.name])}
        if setting.default is not MISSING and setting.default is not None:
            schema["default"] = setting.default
        form[setting.name] = {"label": setting.name.replace("_", " ").capitalize(),
                              "description": EXTRA_HELP[setting.name], "schema": schema}
    return form


def get_provider_info() -> dict[str, Any]:
    """The provider's metadata, in the form Airflow's ``provider_info`` schema defines."""
    return {
        "package-name": PACKAGE_NAME,
        "name": HOOK_NAME,
        "description": "JobsPikr job-data API (`POST /v2/data`): hook and connection type.",
        "connection-types": [{
            "connection-type": CONN_TYPE,
            "hook-class-name": "jobspikr.hook.JobsPikrHook",
            "hook-name": HOOK_NAME,
            "ui-field-behaviour": {key.replace("_", "-"): value for key, value in UI_FIELD_BEHAVIOUR.items()},
            "conn-fields": extra_fields(),
        }],
    }
