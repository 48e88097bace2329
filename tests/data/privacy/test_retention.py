"""Audit-log retention: purge-audit-log deletes rows older than KIKI_AUDIT_RETENTION_DAYS in
batches, keeps the rest, and records one audit row of its own."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from config import load_config
from data.db import get_database
from data.models import AuditLog
from tests.data.privacy.conftest import privacy_app


def test_retention_setting_has_a_default_and_reads_the_environment():
    assert load_config({})["KIKI_AUDIT_RETENTION_DAYS"] == 400
    assert load_config({"KIKI_AUDIT_RETENTION_DAYS": "30"})[
        "KIKI_AUDIT_RETENTION_DAYS"
    ] == 30  # fmt: skip


def test_purge_audit_log_deletes_old_rows_in_batches(privacy_world, tmp_path):
    url, _world = privacy_world
    app = privacy_app(url, tmp_path, KIKI_AUDIT_RETENTION_DAYS=30)
    server = app.server
    now = dt.datetime.now(dt.UTC)
    marker = f"retention-{tmp_path.name}"[:60]
    with server.app_context():
        engine = get_database().engine
        with engine.begin() as conn:
            conn.execute(sa.delete(AuditLog).where(AuditLog.created_at < now - dt.timedelta(days=30)))  # fmt: skip
            rows = [
                {"action": marker, "created_at": now - dt.timedelta(days=days), "details": {}}
                for days in [40] * 7 + [31, 29, 1]
            ]  # fmt: skip
            conn.execute(sa.insert(AuditLog), rows)
    result = server.test_cli_runner().invoke(
        args=["purge-audit-log", "--batch-size", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "Purged 8 audit rows" in result.output
    with server.app_context(), get_database().engine.connect() as conn:
        left = conn.scalar(sa.select(sa.func.count()).where(AuditLog.action == marker))
        purge = conn.execute(
            sa.select(AuditLog.details, AuditLog.actor_user_id)
            .where(AuditLog.action == "audit_log_purged")
            .order_by(AuditLog.id.desc())
        ).first()
    assert left == 2
    assert purge.details["purged"] == 8 and purge.details["retention_days"] == 30
    cutoff = dt.datetime.fromisoformat(purge.details["cutoff"])
    assert abs((now - dt.timedelta(days=30) - cutoff).total_seconds()) < 60
    again = server.test_cli_runner().invoke(args=["purge-audit-log"])
    assert "Purged 0 audit rows" in again.output
    app.server.extensions["kiki_db"].engine.dispose()


def test_purge_refuses_a_retention_below_one_day(privacy_world, tmp_path):
    url, _world = privacy_world
    app = privacy_app(url, tmp_path, KIKI_AUDIT_RETENTION_DAYS=0)
    result = app.server.test_cli_runner().invoke(args=["purge-audit-log"])
    assert result.exit_code != 0 and "at least 1" in result.output
    app.server.extensions["kiki_db"].engine.dispose()


def test_the_cron_example_runs_the_purge():
    from app import ROOT

    crontab = (ROOT / "deploy" / "crontab").read_text()
    assert "flask --app app purge-audit-log" in crontab
