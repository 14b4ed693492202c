"""``./pipeline bi``: Apache Superset on the marts, logged in to the warehouse as a member of
``bi_reader`` (docs/operations.md: BI tools).

Superset runs from its own environment (``.venv-bi``) with a SQLite metadata database in
``.local/superset`` (made once: ``superset db upgrade``, an admin, ``superset init``). At
every start the dashboard and its datasets are imported from ``bi/superset/`` (the assets
exported from Superset, kept in the repository) with this machine's warehouse as their
database, so a fresh clone gets the same dashboard.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import requests
import yaml
from psycopg import sql

from local_stack.airflow_env import LOCAL_DIR, PROJECT_ROOT, local_secret
from local_stack.preflight import SetupError

ASSETS = PROJECT_ROOT / "bi" / "superset"
SUPERSET = PROJECT_ROOT / ".venv-bi" / "bin" / "superset"
#: The warehouse login Superset uses: a member of bi_reader, so it reads what BI may read.
LOGIN_ROLE = "superset_reader"
ADMIN = "admin"
DASHBOARD_SLUG = "jobspikr-cutover"
_DATABASE_FILE = "databases/warehouse.yaml"


@dataclass(frozen=True)
class SupersetSite:
    url: str
    admin: str
    admin_password: str

    @property
    def dashboard_url(self) -> str:
        return f"{self.url}/superset/dashboard/{DASHBOARD_SLUG}/"


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "SUPERSET_CONFIG_PATH": str(home / "superset_config.py"), "FLASK_APP": "superset"}


def _superset(home: Path, *args: str) -> None:
    result = subprocess.run([str(SUPERSET), *args], env=_env(home), cwd=home, capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        raise SetupError(f"superset {args[0]} failed: {(result.stdout + result.stderr)[-2000:]}")


def ensure_metadata(home: Path) -> str:
    """Superset's config and metadata database under ``home``; the admin's password."""
    if not SUPERSET.exists():
        raise SetupError(f"{SUPERSET} is missing: run ./pipeline bi (it installs .venv-bi)")
    home.mkdir(parents=True, exist_ok=True)
    (home / "superset_config.py").write_text(
        "# Written by local_stack/bi.py.\n"
        f"SECRET_KEY = {local_secret(home / 'secret_key')!r}\n"
        f"SQLALCHEMY_DATABASE_URI = {'sqlite:///' + str(home / 'superset.db')!r}\n")
    password = local_secret(home / "admin_password")
    stamp = home / ".initialised"
    if not stamp.exists():
        _superset(home, "db", "upgrade")
        _superset(home, "fab", "create-admin", "--username", ADMIN, "--firstname", "Pipeline", "--lastname",
                  "Admin", "--email", "admin@localhost", "--password", password)
        _superset(home, "init")
        stamp.write_text("ok\n")
    return password


def warehouse_login(conn: psycopg.Connection, password: str) -> str:
    """Create (or re-key) the ``superset_reader`` login in ``bi_reader``; its SQLAlchemy URI
    with the password masked as Superset's exports mask it."""
    if conn.execute("select to_regclass('marts.cutover_daily_metrics')").fetchone()[0] is None:
        raise SetupError("the warehouse has no marts yet: run ./pipeline run first")
    exists = conn.execute("select 1 from pg_roles where rolname = %s", (LOGIN_ROLE,)).fetchone()
    statement = sql.SQL("alter role {} login password {}" if exists else "create role {} login password {}")
    conn.execute(statement.format(sql.Identifier(LOGIN_ROLE), sql.Literal(password)))
    conn.execute(sql.SQL("grant bi_reader to {}").format(sql.Identifier(LOGIN_ROLE)))
    info = conn.info
    where = (f"@/{quote(info.dbname)}?host={quote(info.host)}&port={info.port}" if info.host.startswith("/")
             else f"@{info.host}:{info.port}/{quote(info.dbname)}")
    return f"postgresql+psycopg2://{LOGIN_ROLE}:XXXXXXXXXX{where}"


def assets_zip(sqlalchemy_uri: str) -> bytes:
    """``bi/superset/`` as an import bundle, its database pointed at ``sqlalchemy_uri``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for path in sorted(ASSETS.rglob("*.yaml")):
            name = path.relative_to(ASSETS).as_posix()
            text = path.read_text()
            if name == _DATABASE_FILE:
                database = yaml.safe_load(text)
                database["sqlalchemy_uri"] = sqlalchemy_uri
                text = yaml.safe_dump(database, sort_keys=False)
            bundle.writestr(f"jobspikr_bi/{name}", text)
    return buffer.getvalue()


def api_session(url: str, password: str) -> requests.Session:
    """A session on Superset's REST API as the admin (token and CSRF header set)."""
    session = requests.Session()
    token = session.post(f"{url}/api/v1/security/login", timeout=30, json={
        "username": ADMIN, "password": password, "provider": "db", "refresh": True})
    token.raise_for_status()
    session.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    csrf = session.get(f"{url}/api/v1/security/csrf_token/", timeout=30)
    csrf.raise_for_status()
    session.headers.update({"X-CSRFToken": csrf.json()["result"], "Referer": url})
    return session


def provision(url: str, admin_password: str, sqlalchemy_uri: str, db_password: str) -> None:
    """Import the dashboard, its charts, datasets and database (overwriting earlier ones)."""
    session = api_session(url, admin_password)
    answer = session.post(f"{url}/api/v1/dashboard/import/", timeout=120,
                          files={"formData": ("jobspikr_bi.zip", assets_zip(sqlalchemy_uri), "application/zip")},
                          data={"overwrite": "true", "passwords": json.dumps({_DATABASE_FILE: db_password})})
    if answer.status_code != 200:
        raise SetupError(f"Superset refused the dashboard import ({answer.status_code}): {answer.text[:1000]}")
    # An import over an existing database keeps its old address: point it at this warehouse.
    found = session.get(f"{url}/api/v1/database/", timeout=30, params={
        "q": "(filters:!((col:database_name,opr:eq,value:warehouse)))"}).json()["result"]
    update = session.put(f"{url}/api/v1/database/{found[0]['id']}", timeout=60, json={
        "sqlalchemy_uri": sqlalchemy_uri.replace("XXXXXXXXXX", quote(db_password, safe=""))})
    if update.status_code != 200:
        raise SetupError(f"Superset refused the warehouse's address ({update.status_code}): {update.text[:1000]}")
    describe_columns(session, url, found[0]["id"])


def describe_columns(session: requests.Session, url: str, database_id: int) -> None:
    """Sync each dataset's columns from the warehouse, which sets every column's description
    from its Postgres comment (dbt's ``persist_docs``): Superset shows the marts' own docs."""
    datasets = session.get(f"{url}/api/v1/dataset/", timeout=30, params={
        "q": f"(filters:!((col:database,opr:rel_o_m,value:{database_id})),page_size:100)"}).json()["result"]
    for dataset in datasets:
        refreshed = session.put(f"{url}/api/v1/dataset/{dataset['id']}/refresh", timeout=60)
        if refreshed.status_code != 200:
            raise SetupError(f"Superset could not read {dataset['schema']}.{dataset['table_name']} from the"
                             f" warehouse ({refreshed.status_code}); build the marts first (./pipeline run)")


@contextmanager
def superset_server(home: Path, port: int, *, timeout: float = 180) -> Iterator[str]:
    """Superset's web server on ``127.0.0.1:port``, up until the block ends."""
    url = f"http://127.0.0.1:{port}"
    with (home / "server.log").open("ab") as log:
        server = subprocess.Popen([str(SUPERSET), "run", "-h", "127.0.0.1", "-p", str(port), "--with-threads"],
                                  env=_env(home), cwd=home, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if requests.get(f"{url}/health", timeout=5).ok:
                    break
            except requests.ConnectionError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SetupError(f"Superset did not start on {url}: see {home / 'server.log'}")
            time.sleep(1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


@contextmanager
def running_bi(conn: psycopg.Connection, *, port: int, home: Path = LOCAL_DIR / "superset") -> Iterator[SupersetSite]:
    """Superset up on ``port`` with the dashboard on this warehouse's marts."""
    admin_password = ensure_metadata(home)
    db_password = local_secret(home / "warehouse_password")
    uri = warehouse_login(conn, db_password)
    with superset_server(home, port) as url:
        provision(url, admin_password, uri, db_password)
        yield SupersetSite(url, ADMIN, admin_password)
