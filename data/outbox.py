"""Delivery of the transactional outbox after commit: rows are claimed with a lease, so any number
of processes deliver each row once, and a row whose process died is taken over when its lease
ends. PostgreSQL claims with FOR UPDATE SKIP LOCKED; SQLite with a conditional UPDATE per row.

Delivery marks a row delivered (notifications are written in the transaction itself); kinds
with work to do after the commit register a handler in HANDLERS (the invitation e-mail:
data/invitation_mail.py). A payload's SEALED value (a secret encrypted with the app's cipher,
such as an invitation's token) is dropped from the row once it is delivered. Handlers may run more than once
for a row whose lease ran out mid-delivery (at-least-once), so they must be idempotent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.models import OutboxEntry

log = logging.getLogger(__name__)
LEASE = dt.timedelta(seconds=60)
BATCH = 100
MAX_ATTEMPTS = 10
WROTE_OUTBOX = "kiki_wrote_outbox"  # in a session's info: deliver after its commit
SEALED = "sealed"  # a payload key kept only until the row is delivered
# kind -> handler(payload); a kind with no handler is simply marked delivered.
HANDLERS: dict[str, Callable[[dict], None]] = {}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _due(now: dt.datetime):
    return sa.and_(
        OutboxEntry.delivered_at.is_(None),
        OutboxEntry.attempts < MAX_ATTEMPTS,
        sa.or_(OutboxEntry.claimed_until.is_(None), OutboxEntry.claimed_until < now),
    )


def claim(session: Session, *, limit: int = BATCH, lease: dt.timedelta = LEASE) -> list:
    """Claim up to ``limit`` due rows for ``lease`` and commit; (id, kind, payload) of each."""
    now = _now()
    candidates = sa.select(OutboxEntry.id).where(_due(now)).order_by(OutboxEntry.id)
    if session.get_bind().dialect.name == "postgresql":
        ids = list(
            session.scalars(candidates.limit(limit).with_for_update(skip_locked=True))
        )
        claimed = ids
        if ids:
            session.execute(
                sa.update(OutboxEntry)
                .where(OutboxEntry.id.in_(ids))
                .values(claimed_until=now + lease, attempts=OutboxEntry.attempts + 1)
                .execution_options(synchronize_session=False)
            )
    else:
        claimed = []
        for entry_id in session.scalars(candidates.limit(limit)).all():
            result = session.execute(
                sa.update(OutboxEntry)
                .where(OutboxEntry.id == entry_id, _due(now))
                .values(claimed_until=now + lease, attempts=OutboxEntry.attempts + 1)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:
                claimed.append(entry_id)
    rows = []
    if claimed:
        rows = session.execute(
            sa.select(OutboxEntry.id, OutboxEntry.kind, OutboxEntry.payload)
            .where(OutboxEntry.id.in_(claimed))
            .order_by(OutboxEntry.id)
        ).all()
    session.commit()
    return rows


def deliver_pending(bind: sa.Engine, *, limit: int = BATCH) -> int:
    """Claim, deliver and mark delivered until nothing is due; the number delivered."""
    delivered = 0
    while True:
        with Session(bind) as session:
            rows = claim(session, limit=limit)
            if not rows:
                return delivered
            done = []
            for row in rows:
                handler = HANDLERS.get(row.kind)
                try:
                    if handler is not None:
                        handler(row.payload)
                    done.append(row.id)
                except Exception:
                    log.exception("outbox row %s (%s) failed", row.id, row.kind)
            if done:
                session.execute(
                    sa.update(OutboxEntry)
                    .where(OutboxEntry.id.in_(done), OutboxEntry.delivered_at.is_(None))
                    .values(delivered_at=_now(), claimed_until=None)
                    .execution_options(synchronize_session=False)
                )
                _drop_sealed(session, [row for row in rows if row.id in done])
                session.commit()
            delivered += len(done)
            if len(rows) < limit:
                return delivered


def _drop_sealed(session: Session, rows) -> None:
    """Delivered rows keep their payload without its SEALED secret."""
    for row in rows:
        if isinstance(row.payload, dict) and SEALED in row.payload:
            kept = {key: value for key, value in row.payload.items() if key != SEALED}
            session.execute(
                sa.update(OutboxEntry)
                .where(OutboxEntry.id == row.id)
                .values(payload=kept)
                .execution_options(synchronize_session=False)
            )


def note_outbox_writes(session: Session, _flush_context) -> None:
    """after_flush (data/effects.py): remember that this transaction wrote outbox rows."""
    if any(isinstance(obj, OutboxEntry) for obj in session.new):
        session.info[WROTE_OUTBOX] = True


def deliver_after_commit(session: Session) -> None:
    """after_commit (data/effects.py): deliver what was just committed. A failure is logged,
    never raised (the change is committed; the next delivery run retries)."""
    if not session.info.pop(WROTE_OUTBOX, False):
        return
    bind = session.get_bind()
    if not isinstance(bind, sa.Engine):
        return  # a session bound to a caller's connection: the caller delivers
    try:
        deliver_pending(bind)
    except Exception:
        log.exception("outbox delivery after commit failed; rows stay due")
