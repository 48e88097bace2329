"""Periodic work without a broker: leased jobs in ``scheduled_jobs`` and the worker loop.

Each job is one row. A process claims a job whose ``next_run_at`` has come (data/leases.py:
FOR UPDATE SKIP LOCKED on PostgreSQL, a conditional UPDATE on SQLite), runs it, and sets
``next_run_at`` to the first slot of its period *after now*: however many processes run the
loop, a job runs once per slot, and slots missed while everything was down run once, not once
each. The jobs' own work is leased too (alert rules, outbox rows), so a job that outlives its
lease and runs twice still does each piece of work once.

The loop (``run_worker``) ticks every ``poll_seconds``: it evaluates due alert rules (a cheap
indexed probe first, so a rule made due by another process's ingest fires within a tick) and
runs due jobs. A commit that marked rules due (data/alerts/due.py) wakes this process's loop at
once (``wake_on_rules_due``, a row of data/effects.py). Where it runs: ``flask --app app worker``
(production, docs/PRODUCTION.md), or a daemon thread in each app process when KIKI_SCHEDULER is
"in-app" (the embedded default), started after the fork (app.py main, deploy/gunicorn.conf.py
post_fork), never at import.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from data import outbox
from data.alerts.due import RULES_DUE
from data.alerts.evaluate import evaluate_due, has_due_rules
from data.leases import claim_due, lease_token
from data.models import ScheduledJob
from data.reports.deliver import deliver_due_reports

log = logging.getLogger(__name__)
JOB_LEASE = dt.timedelta(minutes=5)
POLL_SECONDS = 5.0
DEMO_LIVE_ENV = "KIKI_DEMO_LIVE"
_wake = threading.Event()  # set by a commit that marked rules due, in this process
_started: dict[int, threading.Thread] = {}  # pid -> the in-app loop's thread


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    run: Callable  # (database) -> a one-line outcome


def sweep_alerts(database) -> str:
    return f"{evaluate_due(database.sessionmaker)} rules evaluated"


def deliver_outbox(database) -> str:
    return f"{outbox.deliver_pending(database.engine)} outbox rows delivered"


def deliver_reports(database) -> str:
    """Due report subscriptions (data/reports/deliver.py; the files come from exports/)."""
    return deliver_due_reports(database)


def demo_live(database) -> str:
    """The demo's live data (KIKI_DEMO_LIVE=1): data/ops/demo_live.py's tick, if it exists."""
    if os.environ.get(DEMO_LIVE_ENV) != "1":
        return "off"
    from data.ops.demo_live import tick  # the demo's code, loaded only when it runs

    return f"{tick(database)} rows for today"


JOBS = (
    Job("alert-sweep", dt.timedelta(seconds=60), sweep_alerts),
    Job("outbox", dt.timedelta(seconds=10), deliver_outbox),  # incl. backoff retries
    Job("reports", dt.timedelta(seconds=60), deliver_reports),  # at most a minute late
    Job("demo-live", dt.timedelta(seconds=5), demo_live),
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def next_slot(due: dt.datetime, every: dt.timedelta, now: dt.datetime) -> dt.datetime:
    """The first ``due + k * every`` (k ≥ 1) strictly after ``now``."""
    behind = max(now - due, dt.timedelta(0))
    return due + every * (behind // every + 1)


def ensure_jobs(session: Session, jobs=JOBS, now: dt.datetime | None = None) -> None:
    """Add the row of each job that has none (due at once); commits."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for job in jobs:
        session.execute(
            insert(ScheduledJob)
            .values(name=job.name, next_run_at=now or _now())
            .on_conflict_do_nothing(index_elements=["name"])
        )
    session.commit()


def run_due_jobs(database, jobs=JOBS, now: dt.datetime | None = None) -> list[str]:
    """Run each job whose slot has come and that no live lease holds; the names run."""
    by_name = {job.name: job for job in jobs}
    ran = []
    while True:
        start = now or _now()
        token = lease_token()
        with Session(database.engine) as session:
            names = claim_due(
                session,
                ScheduledJob.name,
                sa.and_(
                    ScheduledJob.name.in_(list(by_name)),
                    ScheduledJob.next_run_at <= start,
                    sa.or_(
                        ScheduledJob.lease_until.is_(None),
                        ScheduledJob.lease_until < start,
                    ),
                ),
                {
                    "leased_by": token,
                    "lease_until": start + JOB_LEASE,
                    "last_started_at": start,
                },
                limit=1,
                order_by=ScheduledJob.next_run_at,
            )
            due = session.scalar(
                sa.select(ScheduledJob.next_run_at).where(ScheduledJob.name.in_(names))
            )
            session.commit()
        if not names:
            return ran
        job = by_name[names[0]]
        try:
            outcome = job.run(database) or "done"
        except Exception as exc:
            log.exception("scheduled job %s failed", job.name)
            outcome = f"error: {type(exc).__name__}: {exc}"
        finished = now or _now()
        with Session(database.engine) as session:
            session.execute(
                sa.update(ScheduledJob)
                .where(ScheduledJob.name == job.name, ScheduledJob.leased_by == token)
                .values(
                    next_run_at=next_slot(_aware(due), job.every, finished),
                    lease_until=None,
                    leased_by=None,
                    last_finished_at=finished,
                    last_outcome=str(outcome)[:500],
                )
            )
            session.commit()
        ran.append(job.name)


def tick(database, jobs=JOBS) -> list[str]:
    """One turn of the loop: due alert rules, then due jobs; the names of the jobs run."""
    with Session(database.engine) as session:
        due = has_due_rules(session)
    if due:
        evaluate_due(database.sessionmaker)
    return run_due_jobs(database, jobs)


def wake_on_rules_due(session: Session) -> None:
    """after_commit (data/effects.py): a commit marked rules due; wake this process's loop."""
    if session.info.pop(RULES_DUE, False):
        _wake.set()


def wake() -> None:
    """Wake the loop now (a stop request, a test)."""
    _wake.set()


def run_worker(
    database, stop_event: threading.Event, poll_seconds: float = POLL_SECONDS
) -> None:
    """Tick until ``stop_event`` is set (then call ``wake()``); in an app context, for the
    outbox handlers (mailer, cipher). A failed tick is logged and the loop goes on."""
    with Session(database.engine) as session:
        ensure_jobs(session)
    while not stop_event.is_set():
        try:
            tick(database)
        except Exception:
            log.exception("scheduler tick failed; trying again in %s s", poll_seconds)
        _wake.wait(poll_seconds)
        _wake.clear()


def scheduler_mode(app: Flask) -> str:
    """KIKI_SCHEDULER: "in-app" (the loop in each app process) or "off" (a worker process runs
    it); unset, "in-app" for the embedded demo and "off" otherwise."""
    mode = app.config.get("KIKI_SCHEDULER")
    return mode or ("in-app" if app.config.get("KIKI_DEMO") else "off")


def start_in_app(app: Flask, poll_seconds: float = POLL_SECONDS):
    """Start the loop in a daemon thread of this process when the mode is "in-app" (once per
    process; call it after a fork, never at import); the thread, or None."""
    if scheduler_mode(app) != "in-app":
        return None
    pid = os.getpid()
    if pid in _started and _started[pid].is_alive():
        return _started[pid]
    database = app.extensions["kiki_db"]
    stop = threading.Event()

    def loop():
        with app.app_context():
            run_worker(database, stop, poll_seconds)

    thread = threading.Thread(target=loop, name="kiki-scheduler", daemon=True)
    thread.stop_event = stop  # set it, then wake(), to end the loop (tests)
    thread.start()
    _started[pid] = thread
    return thread
