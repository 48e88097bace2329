"""What the alert rules need that no request measures: scheduler jobs, undelivered outbox rows,
the newest backup. Read at scrape time (web/prometheus.py) into data/telemetry.py's gauges."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from data.models import OutboxEntry, ScheduledJob
from data.ops.backup import NAME
from data.outbox import MAX_ATTEMPTS

STAMP = "%Y%m%dT%H%M%SZ"


def _seconds(value: dt.datetime | None) -> float:
    """Unix seconds of a stored time (naive ones are UTC, as SQLite returns them); 0 for None."""
    if value is None:
        return 0.0
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()


def scheduler_jobs(conn: sa.Connection) -> dict[str, dict]:
    """Per job name: ``next_run`` and ``last_finished`` (Unix seconds, 0 = never) and
    ``last_failed`` (1 when its last run ended in an exception, data/scheduler.py)."""
    rows = conn.execute(
        sa.select(
            ScheduledJob.name,
            ScheduledJob.next_run_at,
            ScheduledJob.last_finished_at,
            ScheduledJob.last_outcome,
        )
    )
    return {
        row.name: {
            "next_run": _seconds(row.next_run_at),
            "last_finished": _seconds(row.last_finished_at),
            "last_failed": 1 if (row.last_outcome or "").startswith("error:") else 0,
        }
        for row in rows
    }


def undelivered_outbox(conn: sa.Connection) -> dict[tuple[str, str], int]:
    """Undelivered outbox rows by (kind, state): ``pending`` (never tried), ``retrying``
    (failed at least once, tried again after a backoff) and ``failed`` (MAX_ATTEMPTS used up:
    data/outbox.py never claims it again, a person must look)."""
    state = sa.case(
        (OutboxEntry.attempts >= MAX_ATTEMPTS, "failed"),
        (OutboxEntry.attempts > 0, "retrying"),
        else_="pending",
    ).label("state")
    rows = conn.execute(
        sa.select(OutboxEntry.kind, state, sa.func.count())
        .where(OutboxEntry.delivered_at.is_(None))
        .group_by(OutboxEntry.kind, state)
    )
    return {(kind, name): int(count) for kind, name, count in rows}


def newest_backup(directory: str | Path) -> float:
    """Unix seconds of the newest complete backup in ``directory`` (its manifest's UTC stamp;
    a manifest is renamed into place only when the backup is whole); 0 when there is none."""
    try:
        names = [p.name for p in Path(directory).iterdir()]
    except OSError:
        return 0.0
    stamps = [match.group(1) for match in map(NAME.match, names) if match]
    if not stamps:
        return 0.0
    newest = dt.datetime.strptime(max(stamps), STAMP).replace(tzinfo=dt.UTC)
    return newest.timestamp()
