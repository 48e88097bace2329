"""Engine and session handling: one engine per app, one session per request, closed at teardown."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


def make_engine(
    url: str,
    *,
    pool_size: int = 5,
    max_overflow: int = 10,
    statement_timeout_ms: int = 0,
    slow_query_ms: int = 0,
) -> sa.Engine:
    """Create an engine with the pragmas and timeouts each backend needs."""
    kwargs: dict = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs.update(pool_size=pool_size, max_overflow=max_overflow)
        if statement_timeout_ms:
            kwargs["connect_args"] = {
                "options": f"-c statement_timeout={int(statement_timeout_ms)}"
            }
    engine = sa.create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    if slow_query_ms:
        _log_slow_queries(engine, slow_query_ms)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _log_slow_queries(engine: sa.Engine, threshold_ms: int) -> None:
    @sa.event.listens_for(engine, "before_cursor_execute")
    def _start(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("query_start", []).append(time.perf_counter())

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _stop(conn, cursor, statement, parameters, context, executemany):
        elapsed_ms = (time.perf_counter() - conn.info["query_start"].pop()) * 1000
        if elapsed_ms >= threshold_ms:
            log.warning(
                "slow query %.0f ms: %s", elapsed_ms, " ".join(statement.split())[:500]
            )


class Database:
    """The app's engine and session factory; bound in the factory with init_app."""

    def __init__(self) -> None:
        self.engine: sa.Engine | None = None
        self.sessionmaker: sessionmaker | None = None

    def init_app(self, app: Flask) -> None:
        cfg = app.config
        self.engine = make_engine(
            cfg["DATABASE_URL"],
            pool_size=cfg["DB_POOL_SIZE"],
            max_overflow=cfg["DB_MAX_OVERFLOW"],
            statement_timeout_ms=cfg["DB_STATEMENT_TIMEOUT_MS"],
            slow_query_ms=cfg["SLOW_QUERY_MS"],
        )
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        app.extensions["kiki_db"] = self
        app.teardown_appcontext(_close_request_session)

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """A session for work outside a request (CLI, jobs): commits on success, rolls back on error."""
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def get_database() -> Database:
    return current_app.extensions["kiki_db"]


def db_session() -> Session:
    """The current request's session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = get_database().sessionmaker()
    return g.db_session


def _close_request_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
