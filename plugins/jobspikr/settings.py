"""Tuning of the JobsPikr client, read from the Airflow connection's extras.

Every extra has a safe default; a wrong value fails at the start of the run with a
message naming the extra, never half-way through a load.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlsplit

from jobspikr.errors import JobsPikrConfigError

PRIMARY_HOST = "https://api.jobspikr.com/v2"
BACKUP_HOST = "https://api-bcp.jobspikr.com/v2"
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_RELATIVE_PATH = re.compile(r"[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*")
_PARAM_NAME = re.compile(r"[A-Za-z0-9_-]+")
#: Extras that were replaced, and by what: a connection still setting one is told, not just refused.
_REPLACED = {"max_attempts": "retry_budget_seconds (seconds, not tries)"}


@dataclass(frozen=True)
class JobsPikrSettings:
    """Connection extras, with their defaults. See docs/configuration.md."""

    backup_host: str | None = None
    page_size: int = 100
    requests_per_minute: float = 60.0
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    credit_floor: int = 0
    #: Seconds one request may spend failing and waiting before it fails for good, across
    #: both hosts (the single retry layer). A time, not a count of tries: a storm of 429s
    #: or a short outage costs about its own length, however often the server is asked.
    retry_budget_seconds: float = 300.0
    backoff_initial: float = 1.0
    #: Longest backoff between tries: also how late, at worst, a request notices that an
    #: outage without ``Retry-After`` is over.
    backoff_max: float = 30.0
    #: Longest ``Retry-After`` waited; a longer one is cut to this, so a run never stalls for hours.
    retry_after_max: float = 300.0
    #: Consecutive failures on the primary host before switching to the backup.
    failover_after: int = 3
    #: Post-date days fetched at once, each by its own thread, all within the one rate limit:
    #: with a slow API one stream cannot use the whole budget. Enough is requests per second
    #: times seconds per page. More threads than that cost CPU when the API is fast
    #: (``./pipeline bench latency``; bench/results/findings.md).
    parallel_days: int = 2
    #: The expired jobs API (``GET {host}/{expired_jobs_path}?{from}=YYYY-MM-DD&{to}=YYYY-MM-DD``).
    #: JobsPikr documents that it exists, a GET with a date range as query parameters, but
    #: not its path or parameter names: these three defaults are ASSUMPTIONS, to be replaced
    #: by what JobsPikr tells the account (a 404 names ``expired_jobs_path``).
    expired_jobs_path: str = "expired_jobs"
    expired_jobs_from_param: str = "start_date"
    expired_jobs_to_param: str = "end_date"

    @classmethod
    def from_extras(cls, extras: Mapping[str, Any]) -> JobsPikrSettings:
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(extras) - set(known))
        if unknown:
            replaced = "".join(f"; {name} is replaced by {_REPLACED[name]}" for name in unknown if name in _REPLACED)
            raise JobsPikrConfigError(
                f"unknown extra(s) {unknown} on the JobsPikr connection{replaced}; known: {sorted(known)}")
        values: dict[str, Any] = {}
        for name, value in extras.items():
            if value is None or value == "":
                continue  # a field left empty in the connection form: the default
            if name == "backup_host":
                values[name] = normalise_base_url(str(value), setting="extra 'backup_host'")
                continue
            if known[name].type in ("str", str):
                values[name] = str(value).strip()
                continue
            kind = int if known[name].type in ("int", int) else float
            try:
                values[name] = kind(value)
            except (TypeError, ValueError) as exc:
                raise JobsPikrConfigError(
                    f"extra {name!r} on the JobsPikr connection must be a number, got {value!r}") from exc
        settings = cls(**values)
        settings._validate()
        return settings

    def _validate(self) -> None:
        positive = ("page_size", "requests_per_minute", "connect_timeout", "read_timeout",
                    "retry_budget_seconds", "backoff_max", "retry_after_max", "failover_after", "parallel_days")
        for name in positive:
            if getattr(self, name) <= 0:
                raise JobsPikrConfigError(
                    f"extra {name!r} on the JobsPikr connection must be positive, got {getattr(self, name)}")
        if self.page_size > 100:
            raise JobsPikrConfigError(f"extra 'page_size' must be at most 100, got {self.page_size}")
        if self.credit_floor < 0 or self.backoff_initial < 0:
            raise JobsPikrConfigError("extras 'credit_floor' and 'backoff_initial' must not be negative")
        self._validate_expired_jobs()

    def _validate_expired_jobs(self) -> None:
        """The path is relative to the base URL; the parameter names are plain, distinct
        names (``cursor`` is the hook's own, for paging)."""
        path = self.expired_jobs_path
        if not _RELATIVE_PATH.fullmatch(path):
            raise JobsPikrConfigError(
                f"extra 'expired_jobs_path' must be a path relative to the base URL, like 'expired_jobs', "
                f"got {path!r}")
        params = {"expired_jobs_from_param": self.expired_jobs_from_param,
                  "expired_jobs_to_param": self.expired_jobs_to_param}
        for name, value in params.items():
            if not _PARAM_NAME.fullmatch(value) or value == "cursor":
                raise JobsPikrConfigError(
                    f"extra {name!r} must be a query parameter name (letters, digits, '_' or '-', "
                    f"not 'cursor'), got {value!r}")
        if self.expired_jobs_from_param == self.expired_jobs_to_param:
            raise JobsPikrConfigError(
                "extras 'expired_jobs_from_param' and 'expired_jobs_to_param' must differ, both are "
                f"{self.expired_jobs_from_param!r}")


def normalise_base_url(host: str, *, setting: str = "host") -> str:
    """``api.jobspikr.com`` -> ``https://api.jobspikr.com/v2``; refuse plain HTTP off-machine."""
    host = host.strip().rstrip("/")
    if not host:
        raise JobsPikrConfigError(f"the JobsPikr connection's {setting} is empty")
    if "://" not in host:
        host = "https://" + host
    parts = urlsplit(host)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise JobsPikrConfigError(f"the JobsPikr connection's {setting} {host!r} is not an http(s) URL")
    if parts.scheme == "http" and parts.hostname not in _LOCAL_HOSTS:
        raise JobsPikrConfigError(
            f"the JobsPikr connection's {setting} {host!r} uses plain HTTP; credentials are only "
            "sent over HTTPS to non-local hosts")
    if not parts.path.rstrip("/").endswith("/v2"):
        host = host + "/v2"
    return host


def default_backup_for(primary: str) -> str | None:
    """The official backup host when the primary is the official one; else none."""
    return BACKUP_HOST if urlsplit(primary).hostname == urlsplit(PRIMARY_HOST).hostname else None
