"""docker-compose.yaml as the tests run it: every Airflow service's command and environment
read from the file itself, so a setting missing from the file is missing in the test too.

There is no Docker engine here, so what only Docker provides is mapped to local equivalents
in one place, ``LocalStand`` and ``localize`` (and nothing else is changed):

- a service's host name (``postgres``, ``warehouse``, ``redis``, ``airflow-apiserver``) in a
  URL becomes the test's own server at 127.0.0.1 (its port, database and role);
- a container path (``/opt/airflow/...``) becomes the host folder the file mounts there
  (``dags``, ``plugins``, ``dbt_project`` are the checkout's), except what the containers
  write (``logs``, ``config``), which goes to the test's folder;
- the image becomes the project's virtual environments: its ``ENV`` lines (the Dockerfile's)
  are read and localized like the file's, ``airflow`` is ``.venv/bin/airflow`` (the image's
  entrypoint runs ``airflow <command>``), and ``AIRFLOW_HOME`` is a folder of the test's;
- a container's port becomes a free local port (``api-server --port``, the scheduler's health
  server), and each scaled-out worker gets its own Celery host name, as each container would.

Variables are interpolated the way compose does (``${VAR}``, ``${VAR:-default}``,
``${VAR-default}``, ``${VAR:?message}``, ``${VAR?message}``, ``$$``) from an ``.env`` built
like ``.env.example``: a required variable that is unset fails, as ``docker compose`` would.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import yaml

from local_stack.airflow_env import PROJECT_ROOT

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yaml"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"
#: The long-running Airflow services ``docker compose up -d`` starts (init runs once before).
AIRFLOW_SERVICES = ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
                    "airflow-triggerer", "airflow-worker")
#: The official image's home (its ``ENV AIRFLOW_HOME``), where the file mounts the project.
IMAGE_HOME = PurePosixPath("/opt/airflow")
#: The image's own environments (the Dockerfile makes them) as the project's.
IMAGE_VENVS = {IMAGE_HOME / "dbt-venv": PROJECT_ROOT / ".venv-dbt"}
#: The folders the containers write to: the test's, never the checkout's.
WRITABLE_MOUNTS = ("logs", "config")
_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|\$(?P<bare>\w+)")


class MissingVariableError(ValueError):
    """A variable the file requires (``${VAR:?message}``) is not set."""


def interpolate(text: str, variables: Mapping[str, str]) -> str:
    """``text`` with compose's variable syntax resolved from ``variables``."""
    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        op, arg = match.group("op"), match.group("arg") or ""
        value = variables.get(name)
        missing = value is None or (value == "" and op is not None and op.startswith(":"))
        if op and op.endswith("?") and missing:
            raise MissingVariableError(f"{name}: {arg or 'required'}")
        if op and op.endswith("-") and missing:
            return arg
        return value or ""
    return _VARIABLE.sub(substitute, text)


def interpolate_tree(node: Any, variables: Mapping[str, str]) -> Any:
    """Every string in a parsed YAML tree interpolated (compose interpolates values only)."""
    if isinstance(node, str):
        return interpolate(node, variables)
    if isinstance(node, list):
        return [interpolate_tree(item, variables) for item in node]
    if isinstance(node, dict):
        return {key: interpolate_tree(value, variables) for key, value in node.items()}
    return node


def read_env_file(text: str) -> dict[str, str]:
    """``KEY=VALUE`` lines as compose reads an ``.env`` (comments and blank lines skipped)."""
    pairs = (line.split("=", 1) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))
    return {key.strip(): value for key, value in pairs}


def env_like_example(values: Mapping[str, str], example: str | None = None) -> dict[str, str]:
    """The ``.env`` a user writes from ``.env.example``: its variables, with ``values`` filled
    in. Only the example's variables may be filled: a variable the file needs that the example
    does not list is a gap a user would hit, so it stays unset here too."""
    env = read_env_file(ENV_EXAMPLE.read_text() if example is None else example)
    unknown = set(values) - set(env)
    if unknown:
        raise KeyError(f"not in .env.example: {sorted(unknown)}")
    return {**env, **values}


def load_compose(variables: Mapping[str, str], text: str | None = None) -> dict[str, Any]:
    """docker-compose.yaml parsed (anchors and ``<<:`` merge keys resolved) and interpolated."""
    tree = yaml.safe_load(COMPOSE_FILE.read_text() if text is None else text)
    return interpolate_tree(tree, variables)


@dataclass(frozen=True)
class Service:
    """One compose service as a process: the arguments after ``airflow`` and its environment."""

    name: str
    args: list[str]
    environment: dict[str, str]
    healthcheck: list[str]


def compose_service(compose: Mapping[str, Any], name: str) -> Service:
    """A service's command, environment (merge keys already resolved) and health check."""
    spec = compose["services"][name]
    command = spec.get("command", [])
    args = shlex.split(command) if isinstance(command, str) else list(command)
    environment = {key: "" if value is None else str(value) for key, value in spec.get("environment", {}).items()}
    return Service(name, args, environment, list(spec.get("healthcheck", {}).get("test", [])))


def dockerfile_env(text: str | None = None) -> dict[str, str]:
    """The image's ``ENV KEY=VALUE`` settings, from the Dockerfile."""
    source = DOCKERFILE.read_text() if text is None else text
    return dict(re.findall(r"^ENV\s+(\w+)=(\S+)", source, re.M))


@dataclass(frozen=True)
class Endpoint:
    """Where a compose service's URL points locally: ``netloc`` replaces the URL's
    user/password/host/port; ``path`` replaces its path unless None (then the file's stays)."""

    netloc: str
    path: str | None = None


@dataclass(frozen=True)
class LocalStand:
    """The one mapping from what Docker provides to this machine (see the module docstring)."""

    endpoints: dict[str, Endpoint]
    mounts: dict[PurePosixPath, Path]
    airflow_home: Path
    ports: dict[str, int] = field(default_factory=dict)

    def path(self, container_path: str) -> str:
        """A container path as the host path the file mounts there (longest mount first)."""
        target = PurePosixPath(container_path)
        for mount in sorted(self.mounts, key=lambda m: len(m.parts), reverse=True):
            if target == mount or mount in target.parents:
                return str(self.mounts[mount] / target.relative_to(mount))
        raise KeyError(f"{container_path} is not under a mounted folder")


def mounts_of(spec_volumes: list[str], variables_root: Path, writable: Path) -> dict[PurePosixPath, Path]:
    """The file's bind mounts (``./dags:/opt/airflow/dags``) as container path -> host path;
    the folders the containers write to go under ``writable`` instead; the image's venvs are
    the project's."""
    mounts: dict[PurePosixPath, Path] = dict(IMAGE_VENVS)
    for volume in spec_volumes:
        source, target = volume.rsplit(":", 1)
        if not source.startswith((".", "/")):
            continue   # a named volume: Docker's own storage
        host = (variables_root / source).resolve()
        mounts[PurePosixPath(target)] = writable / host.name if host.name in WRITABLE_MOUNTS else host
    return mounts


def localize(value: str, stand: LocalStand) -> str:
    """One environment value with Docker's hosts and paths replaced by the local ones."""
    if value.startswith(f"{IMAGE_HOME}/"):
        return stand.path(value)
    parts = urlsplit(value)
    if parts.scheme and parts.hostname in stand.endpoints:
        endpoint = stand.endpoints[parts.hostname]
        path = parts.path if endpoint.path is None else endpoint.path
        return urlunsplit((parts.scheme, endpoint.netloc, path, parts.query, parts.fragment))
    return value


def local_environment(service: Service, stand: LocalStand, base: Mapping[str, str]) -> dict[str, str]:
    """The process environment of a service: ``base`` (the machine's, with no Airflow or
    pipeline settings of its own), the image's ``ENV`` and the service's environment, all
    localized, and the image's home folders."""
    env = dict(base)
    for key, value in {**dockerfile_env(), **service.environment}.items():
        env[key] = localize(value, stand)
    env["AIRFLOW_HOME"] = str(stand.airflow_home)
    # The image's AIRFLOW_HOME is /opt/airflow, so its dags and plugins folders are the mounts.
    env["AIRFLOW__CORE__DAGS_FOLDER"] = stand.path(f"{IMAGE_HOME}/dags")
    env["AIRFLOW__CORE__PLUGINS_FOLDER"] = stand.path(f"{IMAGE_HOME}/plugins")
    if "scheduler" in stand.ports:
        env["AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT"] = str(stand.ports["scheduler"])
    return env


def local_health_url(service: Service, stand: LocalStand) -> str | None:
    """The URL a ``curl --fail`` health check probes, at the service's local port (None when the
    check is not an HTTP one)."""
    urls = [arg for arg in service.healthcheck if arg.startswith("http://localhost:")]
    port = stand.ports.get(service.name.removeprefix("airflow-"))
    if not urls or port is None:
        return None
    parts = urlsplit(urls[0])
    return urlunsplit((parts.scheme, f"127.0.0.1:{port}", parts.path, parts.query, parts.fragment))
