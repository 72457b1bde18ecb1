"""A run is a day: logical date D 00:00 in the source's zone and D in the run id, on every start path
wiredesk drives; failure alerts through the notifier; ``wiredesk run`` with credentials only in the
Airflow connection. Real Airflow (SQLite), the bundled wire site, no mocks."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from devsite.localsite import local_sources_file
from wiredesk.local_airflow import LocalAirflow

pytestmark = pytest.mark.integration

SEOUL_MIDNIGHT_UTC = {"2025-03-10": "2025-03-09T15:00:00+00:00", "2025-03-11": "2025-03-10T15:00:00+00:00",
                      "2025-03-12": "2025-03-11T15:00:00+00:00"}


def _airflow(tmp_path, base_urls, **extra) -> LocalAirflow:
    return LocalAirflow(home=tmp_path / "airflow", env_overrides={
        "WIREDESK_STORAGE_URL": (tmp_path / "store").as_uri(),
        "WIREDESK_SOURCES": str(local_sources_file(base_urls, tmp_path / "sources.yaml")), **extra})


def test_a_three_day_backfill_gives_three_partitions_each_run_carrying_its_day(tmp_path, wiresite):
    airflow = _airflow(tmp_path, wiresite.base_urls)
    for day in SEOUL_MIDNIGHT_UTC:
        result = airflow.dags_test("news_yonhap", date.fromisoformat(day))
        assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
        assert f"day {day}: from params.date" in result.stdout + result.stderr
    manifests = sorted(p.parent.name for p in (tmp_path / "store").glob(
        "articles/v1/source=yonhap_en/date=*/_manifest.json"))
    assert manifests == [f"date={day}" for day in SEOUL_MIDNIGHT_UTC]
    runs = sorted(airflow.run_state("news_yonhap"), key=lambda r: r["logical_date"])
    assert [r["state"] for r in runs] == ["success"] * 3
    for run, (day, midnight) in zip(runs, SEOUL_MIDNIGHT_UTC.items(), strict=True):
        assert run["logical_date"] == midnight  # D 00:00 Asia/Seoul
        assert run["run_id"].startswith(f"manual__yonhap_en__{day}__")
    with sqlite3.connect(airflow.home / "airflow.db") as db:
        dates = [json.loads(row[0])["date"] for row in db.execute("SELECT extra FROM asset_event ORDER BY id")]
    assert dates == list(SEOUL_MIDNIGHT_UTC)


def test_a_manual_trigger_of_a_day_gets_that_midnight_and_names_the_day(tmp_path, wiresite):
    sources = local_sources_file(wiresite.base_urls, tmp_path / "sources.yaml")
    home = tmp_path / "airflow"
    cli = [sys.executable, "-c", _TRIGGER, "trigger", "yonhap_en", "--sources", str(sources),
           "--airflow-home", str(home)]
    printed = subprocess.run([*cli, "--date", "2025-03-12", "--to", "2025-03-13", "--print"],
                             capture_output=True, text=True, timeout=120)
    assert printed.returncode == 0, printed.stderr
    first, second = printed.stdout.splitlines()
    assert first.startswith("airflow dags trigger news_yonhap --logical-date 2025-03-12T00:00:00+09:00 "
                            "--run-id manual__yonhap_en__2025-03-12__")
    assert "2025-03-13T00:00:00+09:00" in second and not home.exists()  # --print creates nothing

    done = subprocess.run([*cli, "--date", "2025-03-12"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "triggered      news_yonhap 2025-03-12: run manual__yonhap_en__2025-03-12__" in done.stdout
    (run,) = LocalAirflow(home=home, env_overrides={"WIREDESK_SOURCES": str(sources)}).run_state("news_yonhap")
    assert run["logical_date"] == SEOUL_MIDNIGHT_UTC["2025-03-12"]
    assert run["run_id"].startswith("manual__yonhap_en__2025-03-12__") and run["state"] == "queued"
    with sqlite3.connect(home / "airflow.db") as db:
        (conf,) = db.execute("SELECT conf FROM dag_run").fetchone()
    assert "2025-03-12" in str(conf)

    # Airflow keeps one run per logical date: a second trigger of the day says how to run it again.
    again = subprocess.run([*cli, "--date", "2025-03-12"], capture_output=True, text=True, timeout=300)
    assert again.returncode == 1
    assert again.stderr.strip().splitlines() == [
        "error: news_yonhap already has a run for 2025-03-12 (one run per day); run the day again by clearing "
        "it: airflow tasks clear news_yonhap --start-date 2025-03-12 --end-date 2025-03-12 --yes"]


#: ``wiredesk trigger`` as the CLI runs it (its parser and function), independent of the command list.
_TRIGGER = """
import argparse, sys
from wiredesk.commands import trigger
parser = argparse.ArgumentParser()
trigger.register(parser.add_subparsers(dest="command"))
args = parser.parse_args(sys.argv[1:])
sys.exit(args.func(args))
"""


class _Hook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append({"path": self.path, **json.loads(body)})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    _Hook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, _Hook.received
    finally:
        server.shutdown()
        server.server_close()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _dead_site() -> str:
    """A site nobody answers on: the crawl finds nothing and fails."""
    return f"http://127.0.0.1:{_free_port()}"


def test_a_failing_task_alerts_in_its_log_and_through_the_webhook_connection(tmp_path, webhook):
    server, received = webhook
    dead = _dead_site()
    connection = {"conn_type": "http", "host": f"http://127.0.0.1:{server.server_address[1]}",
                  "extra": {"endpoint": "/alerts"}}
    airflow = _airflow(tmp_path, {"yonhap_en": dead}, WIREDESK_ALERT_CONN_ID="news_alerts",
                       AIRFLOW_CONN_NEWS_ALERTS=json.dumps(connection))
    result = airflow.dags_test("news_yonhap", date(2025, 3, 12))
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "wiredesk alert: yonhap_en 2025-03-12 (dag news_yonhap, run manual__yonhap_en__2025-03-12__" in log
    assert "task crawl failed (try 1): crawl yonhap_en 2025-03-12: discovered 0 URLs" in log
    (alert,) = received
    assert alert["path"] == "/alerts" and alert["kind"] == "failure"
    assert (alert["source"], alert["day"], alert["task_id"]) == ("yonhap_en", "2025-03-12", "crawl")
    assert alert["run_id"].startswith("manual__yonhap_en__2025-03-12__")


@pytest.fixture
def mail_server():
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it receives."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    class Inbox(Message):
        def __init__(self):
            super().__init__()
            self.messages = []

        def handle_message(self, message):
            self.messages.append(message)

    inbox = Inbox()  # aiosmtpd's readiness check needs the real port, not 0
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.port, inbox.messages
    finally:
        controller.stop()


def test_a_failing_task_alerts_by_mail_through_an_smtp_connection(tmp_path, mail_server):
    port, messages = mail_server
    dead = _dead_site()
    connection = {"conn_type": "smtp", "host": "127.0.0.1", "port": port,
                  "extra": {"to": "news-ops@example.org", "from_email": "wiredesk@example.org",
                            "disable_tls": True, "disable_ssl": True, "timeout": 10, "retry_limit": 1}}
    airflow = _airflow(tmp_path, {"yonhap_en": dead}, WIREDESK_ALERT_CONN_ID="news_mail",
                       AIRFLOW_CONN_NEWS_MAIL=json.dumps(connection))
    result = airflow.dags_test("news_yonhap", date(2025, 3, 12))
    assert result.returncode != 0
    assert "alert sent through Airflow connection 'news_mail' (smtp)" in result.stdout + result.stderr
    (mail,) = messages
    assert mail["To"] == "news-ops@example.org" and mail["From"] == "wiredesk@example.org"
    assert mail["Subject"].startswith("wiredesk alert: yonhap_en 2025-03-12 (dag news_yonhap, run manual__yonhap_en__")
    body = mail.get_payload(decode=True) if not mail.is_multipart() else b"".join(
        part.get_payload(decode=True) or b"" for part in mail.walk())
    assert b"task crawl failed (try 1)" in body and b"discovered 0 URLs" in body


_DEADLINE = """
import asyncio, json, logging, sys
logging.basicConfig(level=logging.INFO, stream=sys.stdout)
from wiredesk.airflow_support import WiredeskNotifier
context = {"dag_run": {"dag_id": "news_yonhap", "run_id": "scheduled__x", "logical_date": "2025-03-11T15:00:00+00:00"}}
# What the triggerer does with the Deadline Alert's AsyncCallback: await the class with its kwargs.
async def main():
    await WiredeskNotifier(kind="deadline", source="yonhap_en", timezone="Asia/Seoul", hours=6.0, context=context)
asyncio.run(main())
"""


def test_the_deadline_callback_alerts_through_the_same_notifier(tmp_path, webhook):
    server, received = webhook
    import os

    env = dict(os.environ, AIRFLOW_HOME=str(tmp_path), WIREDESK_ALERT_CONN_ID="news_alerts",
               AIRFLOW_CONN_NEWS_ALERTS=json.dumps({"conn_type": "http",
                                                    "host": f"http://127.0.0.1:{server.server_address[1]}"}))
    done = subprocess.run([sys.executable, "-c", _DEADLINE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "wiredesk alert: yonhap_en 2025-03-12 (dag news_yonhap, run scheduled__x) not published within 6 h" \
        in done.stdout + done.stderr
    (alert,) = received
    assert (alert["kind"], alert["day"], alert["hours"]) == ("deadline", "2025-03-12", 6.0)


def test_wiredesk_run_succeeds_with_credentials_only_in_the_airflow_connection(tmp_path, seaweed, wiresite,
                                                                              monkeypatch, capsys):
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "WIREDESK_S3_ENDPOINT_URL",
                "WIREDESK_S3_ADDRESSING_STYLE"):
        monkeypatch.delenv(var, raising=False)
    bucket = seaweed.create_bucket()
    monkeypatch.setenv("AIRFLOW_CONN_WIREDESK_S3", json.dumps({
        "conn_type": "aws", "login": seaweed.access_key, "password": seaweed.secret_key,
        "extra": {"endpoint_url": seaweed.endpoint_url, "region_name": "us-east-1", "addressing_style": "path"}}))
    sources = local_sources_file(wiresite.base_urls, tmp_path / "sources.yaml")
    from wiredesk.cli import main

    code = main(["run", "yonhap_en", "--date", "2025-03-12", "--sources", str(sources),
                 "--storage", f"s3://{bucket}/wire", "--airflow-home", str(tmp_path / "airflow")])
    out = capsys.readouterr()
    assert code == 0, out.err[-3000:]
    assert "published      " in out.out and "articles for yonhap_en 2025-03-12" in out.out
    assert "no credentials" not in out.out + out.err and seaweed.secret_key not in out.out
