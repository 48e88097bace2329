"""The one write path: a transaction that commits the change with its audit rows, or nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.db import Database, db_session
from data.errors import Conflict, DataError

CONFLICT_MESSAGE = "Someone else changed this at the same time: reload and try again."


@contextmanager
def write_transaction(
    source: Session | Database | None = None,
    *,
    commit_anyway: tuple[type[DataError], ...] = (),
) -> Iterator[Session]:
    """Yield a session to write in; commit when the block ends, roll back when it raises.

    ``source``: None for the current request's session (data.db.db_session), a Session to use
    (the caller closes it), or a Database for work outside a request (CLI, jobs): a new session,
    closed at the end. A refusal raised in the block whose class is in ``commit_anyway`` still
    commits what was written before it (a failed password check counts toward the lockout),
    then propagates. The database's own refusals become the error family: an IntegrityError
    or a stale row is a Conflict. What a commit triggers is listed in data/effects.py.
    """
    if source is None:
        session, owned = db_session(), False
    elif isinstance(source, Session):
        session, owned = source, False
    else:
        session, owned = source.sessionmaker(), True
    try:
        try:
            yield session
        except commit_anyway:
            session.commit()
            raise
        session.commit()
    except (sa.exc.IntegrityError, sa.orm.exc.StaleDataError) as exc:
        session.rollback()
        raise Conflict(CONFLICT_MESSAGE) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        if owned:
            session.close()
