"""Audit-log retention: rows older than KIKI_AUDIT_RETENTION_DAYS are deleted in batches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.models import AuditLog
from data.scope import SYSTEM
from data.writes.audit import record_event

BATCH = 5000


@dataclass(frozen=True)
class PurgeResult:
    purged: int
    cutoff: dt.datetime
    batches: int


def retention_cutoff(
    retention_days: int, now: dt.datetime | None = None
) -> dt.datetime:
    if retention_days < 1:
        raise ValueError("KIKI_AUDIT_RETENTION_DAYS must be at least 1")
    return (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=retention_days)


def purge_audit_log(
    session_scope: Callable[[], AbstractContextManager[Session]],
    retention_days: int,
    *,
    now: dt.datetime | None = None,
    batch_size: int = BATCH,
) -> PurgeResult:
    """Delete audit rows created before now - ``retention_days``, ``batch_size`` rows per
    transaction (short locks, bounded WAL), then add one audit row saying how many went and
    the cutoff. ``session_scope`` opens a session that commits when its block ends."""
    cutoff = retention_cutoff(retention_days, now)
    purged = batches = 0
    while True:
        with session_scope() as session:
            ids = list(
                session.scalars(
                    sa.select(AuditLog.id)
                    .where(AuditLog.created_at < cutoff)
                    .order_by(AuditLog.id)
                    .limit(batch_size)
                )
            )
            if ids:
                session.execute(sa.delete(AuditLog).where(AuditLog.id.in_(ids)))
        if not ids:
            break
        purged += len(ids)
        batches += 1
    with session_scope() as session:
        record_event(
            session,
            SYSTEM,
            "audit_log_purged",
            details={
                "purged": purged,
                "cutoff": cutoff.isoformat(),
                "retention_days": retention_days,
            },
        )
    return PurgeResult(purged, cutoff, batches)
