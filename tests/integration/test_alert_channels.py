"""The alert channels configured by connection, against real servers: an Apprise webhook
(``json://``) to a local HTTP server. (The e-mail channel is tested end to end in
``test_end_to_end.py``: a failed run's alert reaches a local SMTP server.)"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from jobspikr_pipeline.alerts import send_alert

pytestmark = pytest.mark.integration


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, object]]]]:
    received: list[dict[str, object]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"json://127.0.0.1:{server.server_port}/alerts", received
    finally:
        server.shutdown()


def test_an_alert_reaches_the_apprise_channel_and_a_broken_channel_does_not_hide_it(
        webhook, monkeypatch, caplog) -> None:
    url, received = webhook
    monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_ALERTS_APPRISE", json.dumps(
        {"conn_type": "apprise", "extra": {"config": {"path": url}}}))
    assert send_alert("JobsPikr pipeline: extract_load failed", "401 {not a template} 100%", {}) == 1
    [posted] = received
    assert posted["title"] == "JobsPikr pipeline: extract_load failed"
    assert posted["message"] == "401 {not a template} 100%"
    # An SMTP channel whose server is down: logged, and the Apprise channel still sends.
    monkeypatch.setenv("AIRFLOW_CONN_JOBSPIKR_ALERTS_SMTP", json.dumps(
        {"conn_type": "smtp", "host": "127.0.0.1", "port": 1, "extra": {
            "to": "oncall@example.com", "from_email": "airflow@example.com", "disable_ssl": True,
            "disable_tls": True, "retry_limit": 0, "timeout": 2}}))
    assert send_alert("subject", "body", {}) == 1
    assert len(received) == 2
    assert "could not send the alert through jobspikr_alerts_smtp" in caplog.text
