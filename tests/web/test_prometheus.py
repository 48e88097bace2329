"""/metrics: guarded by token or loopback, counts what it promises, sums gunicorn workers; JSON logs
carry the request id on every line; Sentry only when configured and installed."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import types
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from auth.access import requires_role
from data import telemetry
from tests.apps import call_callback, make_app, signed_in
from tests.data.test_cache import OVERVIEW
from web.prometheus import init_sentry
from web.request_log import JsonFormatter

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "metrics-token-" + "x" * 24


@pytest.fixture(scope="module")
def app(ops_world):
    return make_app(ops_world[0])


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_loopback_only_without_a_token(app):
    client = app.server.test_client()
    assert client.get("/metrics").status_code == 200
    outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert outside.status_code == 403
    relayed = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert relayed.status_code == 403  # a proxy on this host is not "loopback"


def test_bearer_token_when_configured(ops_world):
    app = make_app(ops_world[0], KIKI_METRICS_TOKEN=TOKEN)
    client = app.server.test_client()
    assert client.get("/metrics").status_code == 403
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    right = client.get(
        "/metrics",
        headers={"Authorization": f"Bearer {TOKEN}"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert right.status_code == 200
    assert right.content_type.startswith("text/plain")


def cache_hits() -> float:
    return sum(
        sample("kiki_cache_reads_total", read=read, result="hit")
        for read in ("kpi_summary", "callback_response")
    )


def test_counts_requests_callbacks_cache_rate_limits_and_pool(app):
    client = signed_in(app, "acme", "viewer")
    key = next(k for k in app.callback_map if "overview-kpis." in k)
    before = {
        "callbacks": sample("kiki_callback_seconds_count", output=key),
        "requests": sample(
            "kiki_request_seconds_count",
            route="/_dash-update-component",
            method="POST",
            status="2xx",
        ),
        "hits": cache_hits(),
        "limited": sample("kiki_rate_limited_total", route="/login"),
    }
    for _ in range(2):
        assert call_callback(app, client, "overview-kpis", OVERVIEW).status_code == 200
    assert sample("kiki_callback_seconds_count", output=key) == before["callbacks"] + 2
    assert (
        sample(
            "kiki_request_seconds_count",
            route="/_dash-update-component",
            method="POST",
            status="2xx",
        )
        == before["requests"] + 2
    )
    # The repeated call is served from a cache: the whole callback response, or the read.
    assert cache_hits() >= before["hits"] + 1
    stranger = app.server.test_client()
    statuses = []
    for n in range(12):
        page = stranger.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        form = {"email": f"nobody{n}@nowhere.test", "password": "wrong password 123"}
        statuses.append(
            stranger.post("/login", data={**form, "csrf_token": token}).status_code
        )
    assert 429 in statuses
    limited = sample("kiki_rate_limited_total", route="/login") - before["limited"]
    assert limited == statuses.count(429)
    body = app.server.test_client().get("/metrics").get_data(as_text=True)
    assert 'kiki_db_pool_connections{engine="primary",state="checked_out"}' in body


WORKER = """
import sys
from tests.factories import app_config
from app import create_app
app = create_app(app_config(sys.argv[1]))
client = app.server.test_client()
for _ in range(3):
    assert client.get("/healthz").status_code == 200
"""


def test_multiprocess_mode_sums_every_worker(ops_world, tmp_path, monkeypatch):
    directory = tmp_path / "prometheus"
    directory.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(directory), "PATH": "/usr/bin:/bin"}
    for _worker in range(2):
        subprocess.run(
            [sys.executable, "-c", WORKER, ops_world[0]],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    body, _content_type = telemetry.exposition()
    line = next(
        line
        for line in body.decode().splitlines()
        if line.startswith("kiki_request_seconds_count") and 'route="/healthz"' in line
    )
    assert float(line.rsplit(" ", 1)[1]) == 6.0


def test_every_log_line_of_a_request_carries_its_request_id(ops_world):
    app = make_app(ops_world[0])

    @requires_role("viewer")
    def noisy():
        logging.getLogger("kiki.test").warning("first line")
        app.server.logger.error("second line")
        return "ok"

    app.server.add_url_rule("/_test/noisy", "test_noisy", noisy)
    handler = next(
        h
        for h in logging.getLogger().handlers
        if isinstance(h.formatter, JsonFormatter)
    )
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        client = signed_in(app, "acme", "viewer")
        call_callback(app, client, "overview-kpis", OVERVIEW)
        response = client.get("/_test/noisy")
        given = client.get("/_test/noisy", headers={"X-Request-ID": "abc-123"})
    finally:
        handler.setStream(previous)
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    mine = [
        line["message"]
        for line in lines
        if line["request_id"] == response.headers["X-Request-ID"]
    ]
    assert mine == ["first line", "second line"]
    assert all(line["request_id"] for line in lines)  # none lost its id
    assert given.headers["X-Request-ID"] == "abc-123"
    assert [line["request_id"] for line in lines[-2:]] == ["abc-123", "abc-123"]


def test_sentry_is_optional(ops_world, monkeypatch, caplog):
    app = make_app(ops_world[0])
    assert init_sentry(app.server) is False  # no DSN: nothing to do
    app.server.config["SENTRY_DSN"] = "https://key@sentry.example/1"
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)  # not installed
    with caplog.at_level(logging.WARNING):
        assert init_sentry(app.server) is False
    assert "sentry-sdk is not installed" in caplog.text
    calls = []
    fake = types.SimpleNamespace(init=lambda **kwargs: calls.append(kwargs))
    monkeypatch.setitem(sys.modules, "sentry_sdk", fake)
    assert init_sentry(app.server) is True
    assert calls[0]["dsn"] == "https://key@sentry.example/1"
    assert calls[0]["send_default_pii"] is False


def test_on_call_gauges_for_the_alert_rules(ops_world, tmp_path):
    """The gauges deploy/prometheus/kiki-alerts.yml reads: readiness, each scheduler job's next
    and last run and failure, undelivered outbox rows by state, the newest backup's time."""
    import datetime as dt

    import sqlalchemy as sa

    from data.db import make_engine
    from data.models import OutboxEntry, ScheduledJob
    from data.outbox import MAX_ATTEMPTS

    backups = tmp_path / "backups"
    backups.mkdir()
    for name in ("kiki-20261201T021500Z.json", "kiki-20261207T021500Z.json"):
        (backups / name).write_text("{}")
    (backups / ".kiki-20261208T021500Z.json.partial").write_text("")  # not complete
    due = dt.datetime(2026, 12, 8, 0, 0, 10, tzinfo=dt.UTC)
    finished = dt.datetime(2026, 12, 8, 0, 0, 0, tzinfo=dt.UTC)
    engine = make_engine(ops_world[0])
    with engine.begin() as conn:
        conn.execute(sa.delete(ScheduledJob))
        conn.execute(sa.delete(OutboxEntry).where(OutboxEntry.kind.like("oncall-%")))
        conn.execute(
            sa.insert(ScheduledJob),
            [
                {"name": "outbox", "next_run_at": due, "last_finished_at": finished,
                 "last_outcome": "3 outbox rows delivered"},
                {"name": "reports", "next_run_at": due, "last_finished_at": None,
                 "last_outcome": "error: RuntimeError: boom"},
            ],
        )  # fmt: skip
        conn.execute(
            sa.insert(OutboxEntry),
            [
                {"kind": "oncall-webhook", "payload": {}, "attempts": attempts,
                 "delivered_at": None}
                for attempts in (0, 2, 3, MAX_ATTEMPTS, MAX_ATTEMPTS + 1)
            ]
            + [
                {"kind": "oncall-webhook", "payload": {}, "attempts": 1,
                 "delivered_at": finished},
            ],
        )  # fmt: skip
    engine.dispose()
    app = make_app(ops_world[0], KIKI_BACKUP_DIR=str(backups))
    assert app.server.test_client().get("/metrics").status_code == 200

    assert sample("kiki_ready") == 1.0
    assert (
        sample("kiki_scheduler_job_next_run_timestamp_seconds", scheduled_job="outbox")
        == due.timestamp()
    )
    assert (
        sample(
            "kiki_scheduler_job_last_finished_timestamp_seconds", scheduled_job="outbox"
        )
        == finished.timestamp()
    )
    assert (
        sample(
            "kiki_scheduler_job_last_finished_timestamp_seconds",
            scheduled_job="reports",
        )
        == 0
    )
    assert sample("kiki_scheduler_job_last_failed", scheduled_job="reports") == 1
    assert sample("kiki_scheduler_job_last_failed", scheduled_job="outbox") == 0
    counts = {
        state: sample("kiki_outbox_undelivered", kind="oncall-webhook", state=state)
        for state in ("pending", "retrying", "failed")
    }
    assert counts == {
        "pending": 1,
        "retrying": 2,
        "failed": 2,
    }  # the delivered row: none
    newest = dt.datetime(2026, 12, 7, 2, 15, tzinfo=dt.UTC).timestamp()
    assert sample("kiki_backup_last_success_timestamp_seconds") == newest

    # Delivered later: the failed count drops to 0 instead of keeping its last value.
    engine = make_engine(ops_world[0])
    with engine.begin() as conn:
        conn.execute(
            sa.update(OutboxEntry)
            .where(OutboxEntry.kind == "oncall-webhook")
            .values(delivered_at=finished)
        )
    engine.dispose()
    empty = make_app(ops_world[0], KIKI_BACKUP_DIR=str(tmp_path / "none"))
    assert empty.server.test_client().get("/metrics").status_code == 200
    assert sample("kiki_outbox_undelivered", kind="oncall-webhook", state="failed") == 0
    assert (
        REGISTRY.get_sample_value(
            "kiki_outbox_undelivered", {"kind": "oncall-webhook", "state": "failed"}
        )
        == 0.0
    )
    assert sample("kiki_backup_last_success_timestamp_seconds") == 0  # none: alert


def test_kiki_ready_is_0_when_a_readyz_check_fails_and_the_scrape_still_answers(
    ops_world,
):
    app = make_app(ops_world[0], REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens
    client = app.server.test_client()
    assert client.get("/readyz").status_code == 503
    assert client.get("/metrics").status_code == 200
    assert REGISTRY.get_sample_value("kiki_ready") == 0.0  # present and 0, not missing
    healthy = make_app(ops_world[0])
    assert healthy.server.test_client().get("/metrics").status_code == 200
    assert REGISTRY.get_sample_value("kiki_ready") == 1.0
