"""Delivery of the transactional outbox after commit: rows are claimed with a lease, so any number
of processes deliver each row once, and a row whose process died is taken over when its lease
ends. PostgreSQL claims with FOR UPDATE SKIP LOCKED; SQLite with a conditional UPDATE per row
(data/leases.py, shared with the alert rules and the scheduler's jobs).

Delivery marks a row delivered (notifications are written in the transaction itself); kinds
with work to do after the commit register a handler in HANDLERS (the invitation e-mail:
data/invitation_mail.py). A payload's SEALED value (a secret encrypted with the app's cipher,
such as an invitation's token) is dropped from the row once it is delivered. Handlers may run more than once
for a row whose lease ran out mid-delivery (at-least-once), so they must be idempotent.

A handler that raises leaves the row due again after a backoff (``available_at``: BACKOFF_BASE
doubled at each attempt, at most BACKOFF_MAX), with its error in ``last_error``; after
MAX_ATTEMPTS the row is no longer claimed (it stays undelivered, with its last error, for an
operator to see). A handler that needs to know which row and attempt it serves (the webhook's
attempt log) reads ``current_delivery()``.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.leases import claim_due
from data.models import OutboxEntry

log = logging.getLogger(__name__)
LEASE = dt.timedelta(seconds=60)
BATCH = 100
MAX_ATTEMPTS = 10
BACKOFF_BASE = dt.timedelta(
    seconds=10
)  # after the 1st failure; doubled after each next one
BACKOFF_MAX = dt.timedelta(hours=1)
WROTE_OUTBOX = "kiki_wrote_outbox"  # in a session's info: deliver after its commit
SEALED = "sealed"  # a payload key kept only until the row is delivered
# kind -> handler(payload); a kind with no handler is simply marked delivered.
HANDLERS: dict[str, Callable[[dict], None]] = {}


@dataclass(frozen=True)
class Delivery:
    """The row a handler is delivering, and which attempt this is (1 for the first)."""

    outbox_id: int
    attempt: int


_current: contextvars.ContextVar[Delivery | None] = contextvars.ContextVar(
    "kiki_outbox_delivery", default=None
)


def current_delivery() -> Delivery | None:
    """Inside a handler: the row and attempt being delivered; elsewhere None."""
    return _current.get()


def backoff(attempts: int) -> dt.timedelta:
    """How long a row waits after its ``attempts``-th failed attempt."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _due(now: dt.datetime):
    return sa.and_(
        OutboxEntry.delivered_at.is_(None),
        OutboxEntry.attempts < MAX_ATTEMPTS,
        sa.or_(OutboxEntry.claimed_until.is_(None), OutboxEntry.claimed_until < now),
        sa.or_(OutboxEntry.available_at.is_(None), OutboxEntry.available_at <= now),
    )


def claim(session: Session, *, limit: int = BATCH, lease: dt.timedelta = LEASE) -> list:
    """Claim up to ``limit`` due rows for ``lease`` and commit; (id, kind, payload, attempts)
    of each, ``attempts`` counting this one."""
    now = _now()
    claimed = claim_due(
        session,
        OutboxEntry.id,
        _due(now),
        {"claimed_until": now + lease, "attempts": OutboxEntry.attempts + 1},
        limit=limit,
    )
    rows = []
    if claimed:
        rows = session.execute(
            sa.select(
                OutboxEntry.id,
                OutboxEntry.kind,
                OutboxEntry.payload,
                OutboxEntry.attempts,
            )
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
                token = _current.set(Delivery(row.id, row.attempts))
                try:
                    if handler is not None:
                        handler(row.payload)
                    done.append(row.id)
                except Exception as exc:
                    log.exception("outbox row %s (%s) failed", row.id, row.kind)
                    _retry_later(session, row, exc)
                finally:
                    _current.reset(token)
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


def _retry_later(session: Session, row, exc: Exception) -> None:
    """A failed attempt: the row is due again after its backoff, with the error kept."""
    session.execute(
        sa.update(OutboxEntry)
        .where(OutboxEntry.id == row.id, OutboxEntry.delivered_at.is_(None))
        .values(
            claimed_until=None,
            available_at=_now() + backoff(row.attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:500],
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()


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
