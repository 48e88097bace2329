"""Claiming due rows with a lease, the same way for every table of due work (the outbox, alert
rules, scheduled jobs): any number of processes claim each due row once, and a row whose
claimer died becomes due again when its lease runs out.

PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` then one UPDATE of the ids it locked. SQLite
(one writer at a time, no row locks): a conditional UPDATE per candidate that repeats the due
condition, so of two processes racing for a row only the one whose UPDATE changed it has it.
"""

from __future__ import annotations

import os
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session


def lease_token() -> str:
    """A claimer's name for one claim: unique, so a compare-and-set on it tells a process
    whether the lease it took is still its own (even against its own later claims)."""
    return f"{os.getpid()}-{uuid.uuid4().hex[:16]}"


def claim_due(
    session: Session,
    key: sa.Column,
    due: sa.ColumnElement[bool],
    values: dict,
    *,
    limit: int,
    order_by: sa.ColumnElement | None = None,
) -> list:
    """Set ``values`` (the lease) on up to ``limit`` rows of ``key``'s table matching ``due``;
    the keys claimed, in ``order_by`` order. The caller commits (that ends the row locks)."""
    table = key.table
    candidates = (
        sa.select(key).where(due).order_by(order_by if order_by is not None else key)
    )
    if session.get_bind().dialect.name == "postgresql":
        keys = list(
            session.scalars(candidates.limit(limit).with_for_update(skip_locked=True))
        )
        if keys:
            session.execute(
                sa.update(table)
                .where(key.in_(keys))
                .values(values)
                .execution_options(synchronize_session=False)
            )
        return keys
    # A candidate another process updated first is lost, not a reason to stop: look again
    # past it, or a loser would give up while due rows remain (they would wait for the sweep).
    claimed, lost = [], []
    while len(claimed) < limit:
        batch = session.scalars(
            candidates.where(key.not_in(claimed + lost)).limit(limit - len(claimed))
        ).all()
        if not batch:
            break
        for candidate in batch:
            result = session.execute(
                sa.update(table)
                .where(key == candidate, due)
                .values(values)
                .execution_options(synchronize_session=False)
            )
            (claimed if result.rowcount == 1 else lost).append(candidate)
    return claimed
