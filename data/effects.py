"""What a commit triggers, as one table: every SQLAlchemy listener of the write path, installed here.

Read a write, then this table: it is the complete list of what happens around its commit.

- ``sessionmaker`` rows are installed on each app's primary sessionmaker (Database.init_app);
  the other targets are process-wide and installed once.
- The user-cache rows note DML on ``users``/``organizations`` and, when the connection goes back
  to the pool (after its commit or rollback), call every function subscribed with
  ``on_users_changed`` — auth/user_cache.py subscribes (data never imports auth) to drop its
  copies of session users and tell the other processes.
- Not commit effects, so not here: the engine instrumentation in data/db.py (make_engine's
  SQLite pragmas on "connect", the slow-query timer on before/after_cursor_execute), and the
  one-shot "commit" listener data/cache.py:invalidate_on_commit puts on a bulk loader's raw
  Connection (that loader's own cache invalidation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.dml import UpdateBase

from data import cache, db, live, outbox, scheduler
from data.ops import rollups
from data.writes import org_tokens

USER_TABLES = frozenset({"users", "organizations"})
USERS_CHANGED = "kiki_users_changed"  # flag in a pooled connection's info dict
_users_changed_subscribers: list[Callable[[], None]] = []


def note_user_changes(conn, clauseelement, _multiparams, _params, _options, _result):
    """after_execute: flag the connection when a statement wrote to users or organizations."""
    if isinstance(clauseelement, UpdateBase):
        table = getattr(clauseelement, "table", None)
        if getattr(table, "name", None) in USER_TABLES:
            conn.info[USERS_CHANGED] = True


def announce_user_changes(_dbapi_connection, record) -> None:
    """Pool checkin, after the commit or rollback: call the users-changed subscribers."""
    if record.info.pop(USERS_CHANGED, False):
        for subscriber in _users_changed_subscribers:
            subscriber()


def on_users_changed(subscriber: Callable[[], None]) -> None:
    """Call ``subscriber()`` whenever a connection that wrote to users/organizations is returned."""
    if subscriber not in _users_changed_subscribers:
        _users_changed_subscribers.append(subscriber)


@dataclass(frozen=True)
class Effect:
    """One listener: on ``event`` of ``target``, ``function`` does ``what``."""

    target: str  # "sessionmaker" (each app's primary), "Session", "Engine" or "Pool"
    event: str
    what: str
    function: Callable


EFFECTS: tuple[Effect, ...] = (
    Effect(
        "sessionmaker",
        "after_flush",
        "read-your-writes: note that this session wrote",
        db.note_write,
    ),
    Effect(
        "sessionmaker",
        "do_orm_execute",
        "read-your-writes: note a bulk INSERT, UPDATE or DELETE",
        db.note_dml,
    ),
    Effect(
        "sessionmaker",
        "after_commit",
        "read-your-writes: this user reads from the primary until the replicas catch up",
        db.remember_write,
    ),
    Effect(
        "sessionmaker",
        "after_flush",
        "rollups: remember the (organization, day) of every ORM-written metrics row",
        rollups.note_metric_writes,
    ),
    Effect(
        "sessionmaker",
        "before_commit",
        "rollups: refresh daily_revenue_summary for those days, in the same transaction",
        rollups.refresh_noted,
    ),
    Effect(
        "sessionmaker",
        "after_flush",
        "outbox: note that this transaction wrote outbox rows",
        outbox.note_outbox_writes,
    ),
    Effect(
        "sessionmaker",
        "after_commit",
        "outbox: deliver the committed rows, claimed with a lease (data/outbox.py)",
        outbox.deliver_after_commit,
    ),
    Effect(
        "sessionmaker",
        "after_commit",
        "alerts: a commit that marked rules due (data/alerts/due.py) wakes this process's "
        "scheduler loop, so they are evaluated at once (data/scheduler.py)",
        scheduler.wake_on_rules_due,
    ),
    Effect(
        "Session",
        "after_commit",
        "cache: expire the cached reads of each organization a write marked "
        "(data.cache.invalidate_on_commit)",
        cache.invalidate_committed,
    ),
    Effect(
        "Session",
        "after_flush",
        "live events: note the organization and topic of every ORM object written",
        live.note_live_writes,
    ),
    Effect(
        "Session",
        "do_orm_execute",
        "live events: note a bulk INSERT, UPDATE or DELETE of a live table",
        live.note_live_statements,
    ),
    Effect(
        "Session",
        "after_rollback",
        "live events: a rolled-back transaction announces nothing",
        live.forget_live_writes,
    ),
    Effect(
        "Session",
        "after_commit",
        "live events: one {id, topics} event per changed organization to open streams "
        "(data/live.py); after the cache row above, so a page that refreshes on it reads "
        "the new generation",
        live.publish_committed,
    ),
    Effect(
        "Session",
        "before_flush",
        "API tokens: a user whose session epoch changes loses their personal tokens, "
        "in the same transaction (data/writes/org_tokens.py)",
        org_tokens.revoke_on_new_epoch,
    ),
    Effect(
        "Engine",
        "after_execute",
        "user cache: flag the connection when users or organizations were written",
        note_user_changes,
    ),
    Effect(
        "Pool",
        "checkin",
        "user cache: after the commit or rollback, call the on_users_changed subscribers "
        "(auth/user_cache.py drops its copies and tells the other processes)",
        announce_user_changes,
    ),
)

PROCESS_TARGETS = {"Session": Session, "Engine": sa.engine.Engine, "Pool": sa.pool.Pool}


def target_of(effect: Effect, app_sessionmaker: sessionmaker):
    """The object ``effect`` listens on: the app's sessionmaker or a process-wide class."""
    if effect.target == "sessionmaker":
        return app_sessionmaker
    return PROCESS_TARGETS[effect.target]


def install(app_sessionmaker: sessionmaker) -> None:
    """Register every row of EFFECTS (process-wide rows once per process)."""
    for effect in EFFECTS:
        target = target_of(effect, app_sessionmaker)
        if not sa.event.contains(target, effect.event, effect.function):
            sa.event.listen(target, effect.event, effect.function)
