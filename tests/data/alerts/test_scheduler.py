"""data/scheduler.py: two processes run each due job once; slots missed during downtime run
once; a commit that marks rules due wakes the loop at once; the in-app thread starts only when
KIKI_SCHEDULER asks for it."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data import scheduler
from data.alerts.due import mark_rules_due
from data.db import get_database
from data.models import AlertRule, ScheduledJob
from data.writes.transaction import write_transaction
from tests.data.alerts.conftest import add_metrics, add_rule, make_org
from tests.data.alerts.processes import TEST_JOBS
from tests.data.alerts.test_exactly_once import ROOT

MINUTE = dt.timedelta(seconds=60)


def reset_jobs(engine, next_run_at) -> None:
    with engine.begin() as conn:
        conn.execute(sa.delete(ScheduledJob))
    with Session(engine) as session:
        scheduler.ensure_jobs(session, TEST_JOBS, now=next_run_at)


def test_two_processes_run_each_due_job_once(alerts_url, alerts_engine, tmp_path):
    reset_jobs(alerts_engine, dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    log = tmp_path / "jobs.log"
    command = [sys.executable, "-m", "tests.data.alerts.processes", "jobs", alerts_url]
    env = {**os.environ, "KIKI_TEST_JOB_LOG": str(log)}
    workers = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for worker in workers:
        worker.communicate(timeout=60)
    runs = Counter(line.split()[1] for line in log.read_text().splitlines())
    assert runs == {"t-a": 1, "t-b": 1, "t-c": 1}
    with Session(alerts_engine) as session:
        rows = session.scalars(sa.select(ScheduledJob)).all()
    assert {row.last_outcome for row in rows} == {"recorded"}
    assert all(row.leased_by is None for row in rows)


def test_missed_slots_are_caught_up_once(alerts_engine, tmp_path, monkeypatch):
    monkeypatch.setenv("KIKI_TEST_JOB_LOG", str(tmp_path / "jobs.log"))
    now = dt.datetime(2026, 11, 10, 12, 0, 30, tzinfo=dt.UTC)
    down_since = now - 10 * MINUTE - dt.timedelta(seconds=30)  # 10.5 slots ago
    reset_jobs(alerts_engine, down_since)
    database = type("Db", (), {"engine": alerts_engine})()
    assert scheduler.run_due_jobs(database, TEST_JOBS, now=now) == ["t-a", "t-b", "t-c"]
    assert scheduler.run_due_jobs(database, TEST_JOBS, now=now) == []
    with Session(alerts_engine) as session:
        nexts = set(session.scalars(sa.select(ScheduledJob.next_run_at)))
    # The first slot after now: down_since + 11 minutes = 12:01:00, once, not 11 runs.
    assert {n.replace(tzinfo=dt.UTC) for n in nexts} == {down_since + 11 * MINUTE}
    assert len((tmp_path / "jobs.log").read_text().splitlines()) == 3


def test_next_slot():
    due = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert scheduler.next_slot(due, MINUTE, due) == due + MINUTE
    assert scheduler.next_slot(due, MINUTE, due - MINUTE) == due + MINUTE
    assert scheduler.next_slot(due, MINUTE, due + 3 * MINUTE) == due + 4 * MINUTE
    assert (
        scheduler.next_slot(due, MINUTE, due + dt.timedelta(seconds=61))
        == due + 2 * MINUTE
    )


def test_a_commit_that_marks_rules_due_wakes_the_loop(
    alerts_app, alerts_engine, make_session
):
    org = make_org(alerts_engine)
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    add_metrics(alerts_engine, org, yesterday, spend="100", revenue="150")
    rule_id = add_rule(alerts_engine, org, channels=["in_app"])
    with alerts_engine.begin() as conn:  # evaluated a moment ago: not due for minutes
        conn.execute(
            sa.update(AlertRule)
            .where(AlertRule.id == rule_id)
            .values(next_due_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5))
        )
    stop = threading.Event()
    with alerts_app.app_context():
        database = get_database()

    def loop():
        with alerts_app.app_context():
            scheduler.run_worker(database, stop, poll_seconds=120)

    worker = threading.Thread(target=loop, daemon=True)
    worker.start()
    try:
        time.sleep(1.0)  # its first tick is over: now it waits up to 120 s
        committed = time.monotonic()
        with alerts_app.app_context(), write_transaction(database) as session:
            assert mark_rules_due(session, org["org_id"]) == 1  # the ingest's call
        while True:
            with Session(alerts_engine) as session:
                state = session.scalar(
                    sa.select(AlertRule.state).where(AlertRule.id == rule_id)
                )
            if state == "firing" or time.monotonic() - committed > 10:
                break
            time.sleep(0.05)
        assert state == "firing"
        assert time.monotonic() - committed < 10  # not the 120 s poll
    finally:
        stop.set()
        scheduler.wake()
        worker.join(timeout=30)
    assert not worker.is_alive()


def test_the_in_app_thread_starts_only_when_asked(alerts_app, make_session):
    for mode in ("off", None):  # None: off outside demo mode
        alerts_app.config["KIKI_SCHEDULER"] = mode
        assert scheduler.start_in_app(alerts_app) is None
    alerts_app.config["KIKI_SCHEDULER"] = "in-app"
    try:
        thread = scheduler.start_in_app(alerts_app, poll_seconds=60)
        assert thread.is_alive() and thread.daemon
        assert scheduler.start_in_app(alerts_app) is thread  # once per process
    finally:
        alerts_app.config["KIKI_SCHEDULER"] = None
        thread.stop_event.set()
        scheduler.wake()
        thread.join(timeout=30)
    assert not thread.is_alive()
