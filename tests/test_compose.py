"""docker-compose.yaml, checked statically (no Docker engine here): it parses, has the
official Airflow 3 services and commands, its references resolve, and secrets come from
.env, which is never committed. Also the mapping the scale-out test runs the file with
(devkit/compose.py), the Dockerfile's commands as the image test runs them
(devkit/image.py), and the package metadata the image installs with."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from devkit.compose import (
    AIRFLOW_SERVICES,
    Endpoint,
    LocalStand,
    MissingVariableError,
    compose_service,
    env_like_example,
    interpolate,
    load_compose,
    local_environment,
    local_health_url,
    localize,
    mounts_of,
)
from devkit.image import DOCKERFILE, local_command, read_dockerfile
from devkit.scale_out import TEST_SETTINGS, compose_dot_env

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yaml").read_text())
SERVICES = COMPOSE["services"]
#: The official file's Airflow services and their commands.
AIRFLOW_COMMANDS = {"airflow-apiserver": "api-server", "airflow-scheduler": "scheduler",
                    "airflow-dag-processor": "dag-processor", "airflow-worker": "celery worker",
                    "airflow-triggerer": "triggerer", "flower": "celery flower"}


def test_official_services_with_their_commands_and_healthchecks() -> None:
    assert {"postgres", "redis", "airflow-init", "airflow-cli", *AIRFLOW_COMMANDS} <= set(SERVICES)
    for name, command in AIRFLOW_COMMANDS.items():
        assert SERVICES[name]["command"] == command
        assert "healthcheck" in SERVICES[name], name
    assert SERVICES["flower"]["profiles"] == ["flower"] and SERVICES["airflow-cli"]["profiles"] == ["debug"]


def test_every_airflow_service_shares_the_celery_setup_and_the_project_mounts() -> None:
    for name in [*AIRFLOW_COMMANDS, "airflow-init", "airflow-cli"]:
        service = SERVICES[name]
        env = service["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://:@redis:6379"), name
        assert "AIRFLOW_CONN_WAREHOUSE_DEFAULT" in env and "AIRFLOW_CONN_JOBSPIKR_DEFAULT" in env, name
        mounts = {m.rsplit(":", 1)[1] for m in service["volumes"]}
        assert {"/opt/airflow/dags", "/opt/airflow/plugins", "/opt/airflow/dbt_project"} <= mounts, name


def test_references_resolve() -> None:
    for name, service in SERVICES.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in SERVICES, (name, dependency)
        for volume in service.get("volumes", []):
            source = volume.rsplit(":", 1)[0]
            if source.startswith("${AIRFLOW_PROJ_DIR"):
                folder = source.split("}/", 1)[1]
                assert folder == "logs" or (ROOT / folder).is_dir(), (name, folder)
            else:
                assert source in COMPOSE["volumes"], (name, source)
    assert SERVICES["standin"]["profiles"] == ["standin"]   # optional, and its module is in the image
    assert "COPY --chown=airflow:0 standin_api" in (ROOT / "Dockerfile").read_text()


def test_init_writes_the_dbt_manifest_the_dag_needs() -> None:
    assert "python -m jobspikr_pipeline.dbt_graph" in SERVICES["airflow-init"]["command"][1]


def test_image_matches_the_pinned_versions() -> None:
    """The base image, the Airflow the image's pip command pins and requirements.txt agree."""
    requirements = dict(re.findall(r"^([\w\[\]-]+)==([\d.]+)", (ROOT / "requirements.txt").read_text(), re.M))
    dockerfile = read_dockerfile()
    assert dockerfile.args["AIRFLOW_VERSION"] == requirements["apache-airflow"]
    assert "FROM apache/airflow:${AIRFLOW_VERSION}-python${PYTHON_VERSION}" in DOCKERFILE.read_text()
    pip = dockerfile.runs[0]
    assert pip[:2] == ["pip", "install"] and f"apache-airflow=={requirements['apache-airflow']}" in pip
    assert pip[pip.index("-c"):pip.index("-c") + 2] == ["-c", "/opt/jobspikr/constraints.txt"]
    # no version written by hand: the pins are constraints.txt's
    assert [word for word in pip if "==" in word] == [f"apache-airflow=={requirements['apache-airflow']}"]


def test_secrets_come_from_env_which_is_not_committed() -> None:
    text = (ROOT / "docker-compose.yaml").read_text()
    used = set(re.findall(r"\$\{([A-Z_]+)", text))
    example = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines()
               if line and not line.startswith("#")}
    secrets = {"WAREHOUSE_PASSWORD", "JOBSPIKR_CONN", "AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET",
               "_AIRFLOW_WWW_USER_PASSWORD"}
    assert secrets <= used and secrets <= example
    assert SERVICES["warehouse"]["environment"]["POSTGRES_PASSWORD"].startswith("${WAREHOUSE_PASSWORD")
    if (ROOT / ".git").exists():
        git = {"cwd": ROOT, "capture_output": True, "text": True}
        assert subprocess.run(["git", "ls-files", ".env"], **git).stdout == ""
        assert subprocess.run(["git", "check-ignore", ".env"], **git).returncode == 0


@pytest.mark.parametrize("name", ["airflow-apiserver", "airflow-worker"])
def test_workers_can_scale_out(name: str) -> None:
    # `--scale airflow-worker=N` needs no fixed container name or host port on the worker
    assert "container_name" not in SERVICES[name]
    assert name != "airflow-worker" or "ports" not in SERVICES[name]


def test_image_installs_the_project_over_the_mounted_plugins() -> None:
    """Editable, so the provider entry point (the JobsPikr connection form) is registered and
    the code itself comes from the plugins folder compose mounts."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY --chown=airflow:0 pyproject.toml /opt/airflow/pyproject.toml" in dockerfile
    assert [w for w in read_dockerfile().runs[0] if w in ("-e", "/opt/airflow")] == ["-e", "/opt/airflow"]
    mounts = {m.rsplit(":", 1)[1] for m in SERVICES["airflow-apiserver"]["volumes"]}
    assert "/opt/airflow/plugins" in mounts


# -- the file as the scale-out test runs it (devkit/compose.py) -------------------------

STANDIN_CONN = '{"conn_type": "jobspikr", "host": "http://127.0.0.1:8765/v2"}'
#: What the file requires from .env; each must fail when unset, as docker compose would.
REQUIRED = ["AIRFLOW_UID", "AIRFLOW_FERNET_KEY", "AIRFLOW_JWT_SECRET", "WAREHOUSE_PASSWORD", "JOBSPIKR_CONN",
            "JOBSPIKR_PERSONAL_DATA_KEY", "_AIRFLOW_WWW_USER_PASSWORD"]
#: The settings only the mapping adds (every other one comes from the file or the Dockerfile).
MAPPED = {"AIRFLOW_HOME", "AIRFLOW__CORE__DAGS_FOLDER", "AIRFLOW__CORE__PLUGINS_FOLDER",
          "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT"}


def stand(tmp_path: Path, compose: dict[str, object]) -> LocalStand:
    return LocalStand(
        endpoints={"postgres": Endpoint("postgres@127.0.0.1:5432", "/meta"),
                   "warehouse": Endpoint("postgres@127.0.0.1:5432", "/wh"),
                   "redis": Endpoint(":@127.0.0.1:6379", "/7"), "airflow-apiserver": Endpoint("127.0.0.1:18080")},
        mounts=mounts_of(compose["services"]["airflow-apiserver"]["volumes"], ROOT, tmp_path),  # type: ignore[index]
        airflow_home=tmp_path / "home", ports={"apiserver": 18080, "scheduler": 18974})


@pytest.mark.parametrize(("text", "expected"), [
    ("${A}", "a"), ("${A:-d}", "a"), ("${EMPTY:-d}", "d"), ("${EMPTY-d}", ""), ("${UNSET-d}", "d"),
    ("${UNSET:-}", ""), ("x$${HOSTNAME}", "x${HOSTNAME}"), ("$A/b", "a/b"), ("${EMPTY?m}", ""),
])
def test_interpolation_follows_compose(text: str, expected: str) -> None:
    assert interpolate(text, {"A": "a", "EMPTY": ""}) == expected


@pytest.mark.parametrize("text", ["${UNSET:?set UNSET in .env}", "${EMPTY:?set UNSET in .env}", "${UNSET?x}"])
def test_a_required_variable_that_is_unset_fails(text: str) -> None:
    with pytest.raises(MissingVariableError, match=r"UNSET|EMPTY"):
        interpolate(text, {"EMPTY": ""})


@pytest.mark.parametrize("name", REQUIRED)
def test_the_file_fails_clearly_without_each_required_variable(name: str) -> None:
    variables = compose_dot_env(STANDIN_CONN)
    load_compose(variables)   # complete: loads
    with pytest.raises(MissingVariableError, match=f"^{name}: set {name} in .env"):
        load_compose({**variables, name: ""})


def test_env_example_as_copied_is_not_enough_and_only_its_variables_can_be_set() -> None:
    with pytest.raises(MissingVariableError):
        load_compose(env_like_example({}))
    with pytest.raises(KeyError, match="NOT_IN_EXAMPLE"):
        env_like_example({"NOT_IN_EXAMPLE": "x"})


def test_the_mapping_replaces_docker_hosts_and_paths_only(tmp_path: Path) -> None:
    local = stand(tmp_path, load_compose(compose_dot_env(STANDIN_CONN)))
    assert localize("postgresql+psycopg2://airflow:airflow@postgres/airflow", local) == \
        "postgresql+psycopg2://postgres@127.0.0.1:5432/meta"
    assert localize("redis://:@redis:6379/0", local) == "redis://:@127.0.0.1:6379/7"
    assert localize("http://airflow-apiserver:8080/execution/", local) == "http://127.0.0.1:18080/execution/"
    assert localize("/opt/airflow/dags/x.py", local) == str(ROOT / "dags" / "x.py")
    assert localize("/opt/airflow/logs/reports", local) == str(tmp_path / "logs" / "reports")
    assert localize("/opt/airflow/dbt-venv/bin/dbt", local) == str(ROOT / ".venv-dbt" / "bin" / "dbt")
    assert localize("http://example.com:8080/x", local) == "http://example.com:8080/x"
    assert localize("CeleryExecutor", local) == "CeleryExecutor"


def test_every_service_runs_with_the_files_settings_and_only_the_mapping_added(tmp_path: Path) -> None:
    compose = load_compose(compose_dot_env(STANDIN_CONN))
    local = stand(tmp_path, compose)
    envs = {}
    for name in AIRFLOW_SERVICES:
        service = compose_service(compose, name)
        env = local_environment(service, local, {})
        assert set(env) - set(service.environment) - set(read_dockerfile().env) == MAPPED, name
        docker_only = r"@(postgres|redis|warehouse)\b|//airflow-apiserver|^/opt/"
        leftovers = [value for value in env.values() if re.search(docker_only, value)]
        assert leftovers == [], name
        envs[name] = env
    shared = ["AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__CORE__EXECUTOR",
              "AIRFLOW__CORE__AUTH_MANAGER", "AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]
    for key in shared:
        assert len({env[key] for env in envs.values()}) == 1, key
    assert envs["airflow-worker"]["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:18080/execution/"
    assert local_health_url(compose_service(compose, "airflow-apiserver"), local) == \
        "http://127.0.0.1:18080/api/v2/monitor/health"


def test_the_test_settings_never_override_the_file() -> None:
    compose = load_compose(compose_dot_env(STANDIN_CONN))
    for name in AIRFLOW_SERVICES:
        assert not set(TEST_SETTINGS) & set(compose_service(compose, name).environment), name


def test_the_files_current_health_checks() -> None:
    """Airflow 3's api-server health endpoint, as the official file checks it."""
    assert "http://localhost:8080/api/v2/monitor/health" in SERVICES["airflow-apiserver"]["healthcheck"]["test"]
    assert "http://localhost:8974/health" in SERVICES["airflow-scheduler"]["healthcheck"]["test"]


# -- the Dockerfile's commands, as the image test runs them (devkit/image.py) -----------

def test_the_dockerfiles_commands_map_to_local_ones(tmp_path: Path) -> None:
    dockerfile = read_dockerfile()
    commands = [local_command(step, dockerfile, tmp_path, image_python=tmp_path / "img" / "bin" / "python",
                              python="python3.11", uv="uv") for step in dockerfile.runs]
    assert commands == [
        ["uv", "pip", "install", "--python", str(tmp_path / "img" / "bin" / "python"), "apache-airflow==3.3.2",
         "-e", str(ROOT), "-c", str(ROOT / "constraints.txt")],
        ["python3.11", "-m", "venv", str(tmp_path / "opt" / "airflow" / "dbt-venv")],
        ["uv", "pip", "install", "--python", str(tmp_path / "opt" / "airflow" / "dbt-venv" / "bin" / "python"),
         "-r", str(ROOT / "requirements-dbt.txt"), "-c", str(ROOT / "constraints-dbt.txt")],
    ]
    assert dockerfile.env == {"DBT_EXECUTABLE": "/opt/airflow/dbt-venv/bin/dbt"}


# -- the provider package's metadata (pyproject.toml) --------------------------------------------

def test_the_provider_package_declares_its_versions_dependencies_and_classifier() -> None:
    """What the image installs the project with: its dependencies' ranges admit the versions
    constraints.txt pins (so the image gets exactly those), and Airflow's provider classifier."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "Framework :: Apache Airflow :: Provider" in project["classifiers"]
    assert project["version"] and project["requires-python"]
    pins = dict(line.split("==", 1) for line in (ROOT / "constraints.txt").read_text().split() if "==" in line)
    for dependency in map(Requirement, project["dependencies"]):
        assert dependency.name in pins, dependency
        assert dependency.specifier.contains(pins[dependency.name]), (dependency, pins[dependency.name])
    entry_points = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]
    assert entry_points["apache_airflow_provider"] == {"provider_info": "jobspikr.provider:get_provider_info"}
