"""Nothing leaked: secrets stay out of every output of a run, hostile input stays data, bad
configuration fails at the start naming the setting, and TLS certificates are checked.

(The BI role's limits are tested with the dbt models: ``test_dbt_models.py``.)
"""

from __future__ import annotations

import json
import os
import secrets
import ssl
import subprocess
import threading
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
import pytest

from devkit.dag_runs import run_ingest, task_states
from devkit.suite import TEST_ANCHOR, jobspikr_conn_json
from jobspikr.errors import JobsPikrUnavailableError
from jobspikr.hook import JobsPikrHook
from jobspikr.query import JobsPikrQuery
from jobspikr_pipeline.dbt import DBT_PROJECT_DIR
from jobspikr_pipeline.extract import extract_and_load
from jobspikr_pipeline.extract_plan import ExtractWindow
from jobspikr_pipeline.raw_schema import apply_raw_schema
from local_stack.embedded_warehouse import airflow_conn_json
from standin_api import Catalogue, StandinConfig, StandinServer
from standin_api.faults import Fault, FaultPlan
from standin_api.server import Account

pytestmark = pytest.mark.integration

CATALOGUE = Catalogue(seed=13, size=300, anchor=TEST_ANCHOR, days=3)
FAST = {"backoff_initial": 0.01, "backoff_max": 0.02, "retry_budget_seconds": 0.1}


def files_containing(secret: str, *roots: Path) -> list[Path]:
    needle = secret.encode()
    return [path for root in roots if root.exists() for path in root.rglob("*")
            if path.is_file() and needle in path.read_bytes()]


@pytest.mark.slow("two DAG runs, every output of each searched")
def test_secrets_never_appear_in_any_output_of_a_run(
        airflow_db: None, warehouse: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> None:
    """A run that succeeds and one that fails, with a unique API key and warehouse password;
    then every log, artifact, table and file the runs wrote is searched for them."""
    api_key = f"jp-key-{secrets.token_hex(16)}"
    db_password = f"wh-pass-{secrets.token_hex(16)}"  # the test server trusts local users
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE_DEFAULT",
                       airflow_conn_json(psycopg.conninfo.make_conninfo(warehouse, password=db_password)))
    monkeypatch.setenv("JOBSPIKR_REPORTS_DIR", str(tmp_path / "reports"))
    account = Account(client_auth_key=api_key)
    with StandinServer(StandinConfig(catalogue=CATALOGUE), account) as server:
        monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", jobspikr_conn_json(server, **FAST))
        assert run_ingest(datetime(2026, 11, 20, 3, tzinfo=UTC), airflow_retries=False) == "success"
        server.faults = FaultPlan(always=Fault("status", 503))
        assert run_ingest(datetime(2026, 11, 21, 3, tzinfo=UTC), airflow_retries=False) == "failed"
    out, err = capfd.readouterr()
    with psycopg.connect(warehouse) as conn:
        tables = json.dumps([conn.execute(f"select * from {table}").fetchall()  # noqa: S608 (fixed names)
                             for table in ("raw.jobspikr_load_log", "raw.jobspikr_rejects")], default=str)
    assert "did not answer usefully" in tables  # the failure is there, explained
    airflow_home = Path(os.environ["AIRFLOW_HOME"])
    for secret in (api_key, db_password):
        assert secret not in caplog.text and secret not in out and secret not in err
        assert secret not in tables
        assert files_containing(secret, airflow_home, tmp_path / "reports", DBT_PROJECT_DIR / "logs",
                                DBT_PROJECT_DIR / "target") == []


def test_airflow_masks_the_connection_secrets_in_task_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.sdk._shared.secrets_masker import redact
    from airflow.sdk.bases.hook import BaseHook

    key = f"jp-key-{secrets.token_hex(8)}"
    monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_MASKED", json.dumps(
        {"conn_type": "jobspikr", "host": "http://127.0.0.1:1/v2", "login": "me", "password": key}))
    BaseHook.get_connection("jobspikr_masked")  # what the hook does; it registers the password
    assert key not in redact(f"client_auth_key={key}")


def test_hostile_filter_values_stay_data(warehouse: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Filter values reach the API as one quoted phrase and SQL only as bound parameters."""
    hostile = ["x\" OR company_name:*", "'); drop table raw.jobspikr_jobs; --", "\\\" } ] }"]
    with StandinServer(StandinConfig(catalogue=CATALOGUE)) as server, \
            psycopg.connect(warehouse, autocommit=True) as conn:
        monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", jobspikr_conn_json(server, **FAST))
        apply_raw_schema(conn)
        query = JobsPikrQuery.from_mapping({"company_name": hostile, "job_title": hostile})
        window = ExtractWindow(date(2026, 11, 19), date(2026, 11, 20), date(2026, 11, 15))
        summary = extract_and_load(JobsPikrHook(), conn, query, window, airflow_run_id="'; select 1; --")
        assert summary["records_received"] == 0  # no company is literally named so: nothing matched
        assert conn.execute("select count(*) from raw.jobspikr_jobs").fetchone()[0] == 0  # table intact
        logged = conn.execute("select airflow_run_id, status from raw.jobspikr_load_log").fetchall()
    assert logged == [("'; select 1; --", "succeeded")]


@pytest.mark.parametrize(("setting", "connection", "params", "message"), [
    ("missing connection", None, {}, "jobspikr_default"),
    ("plain HTTP to a remote host", {"host": "http://api.jobspikr.com/v2"}, {}, "plain HTTP"),
    ("negative page size", {"extra": {"page_size": -5}}, {}, "page_size"),
    ("unknown extra", {"extra": {"pagesize": 10}}, {}, "pagesize"),
    ("unknown filter field", {}, {"filters": {"titel": ["nurse"]}}, "titel"),
])
def test_bad_configuration_fails_at_the_start_naming_the_setting(
        airflow_db: None, warehouse: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        setting: str, connection: dict[str, object] | None, params: dict[str, object], message: str) -> None:
    with StandinServer(StandinConfig(catalogue=CATALOGUE)) as server:
        base = json.loads(jobspikr_conn_json(server, **FAST))
        if connection is None:
            monkeypatch.delenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", raising=False)
        else:
            monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", json.dumps({**base, **connection}))
        run_date = datetime(2026, 11, 20, 3, tzinfo=UTC)
        assert run_ingest(run_date, airflow_retries=False, conf=params) == "failed"
        assert server.requests_served == 0, setting  # failed before asking the API anything
    assert task_states(run_date)["extract_load"] == "failed"
    # A bad connection fails both tasks that use it, a bad filter only the extract: one alert
    # per failed task, each naming the setting.
    failed = ["extract_load"] if params else ["extract_load", "fetch_expirations"]
    assert sorted(t for t, state in task_states(run_date).items() if state == "failed") == failed
    alerts = sorted(r.getMessage() for r in caplog.records if r.name == "jobspikr.alerts")
    assert len(alerts) == len(failed), alerts
    for task, alert in zip(failed, alerts, strict=True):
        assert f"task '{task}'" in alert and message in alert, alert


def test_tls_certificates_are_verified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An HTTPS host with a certificate nobody trusts is refused, not talked to."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    answered: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            answered.append(self.path)
            self.send_response(200)
            self.end_headers()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_DEFAULT", json.dumps(
            {"conn_type": "jobspikr", "host": f"https://127.0.0.1:{httpd.server_address[1]}/v2",
             "login": "me", "password": "key", "extra": FAST}))
        with pytest.raises(JobsPikrUnavailableError, match="CERTIFICATE_VERIFY_FAILED"):
            JobsPikrHook().fetch_page(JobsPikrQuery(), None)
    finally:
        httpd.shutdown()
    assert answered == []

