"""Engine and session handling: one engine per app, one session per request, closed at teardown."""

from __future__ import annotations

import itertools
import logging
import time
from contextlib import AbstractContextManager

import sqlalchemy as sa
from flask import Flask, current_app, g, has_app_context, has_request_context
from flask import session as flask_session
from sqlalchemy.orm import Session, sessionmaker

from data.private_files import create_owner_only, sqlite_file

log = logging.getLogger(__name__)
REPLICA_RETRY_SECONDS = 30.0  # how long a failed replica is skipped
REPLICA_LAG_SECONDS = 10.0  # how long a user who wrote reads from the primary
PRIMARY_UNTIL_KEY = "kiki_primary_until"
# A standby's lag: 0 when it has replayed everything it received (an idle primary sends nothing,
# and the age of the last replayed transaction would grow without any lag), else the age of the
# last transaction it replayed. NULL on a server that is not a standby.
REPLICA_LAG_SQL = sa.text(
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL"
    " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()) END"
)


def make_engine(
    url: str,
    *,
    pool_size: int = 5,
    max_overflow: int = 10,
    statement_timeout_ms: int = 0,
    slow_query_ms: int = 0,
    connect_timeout_s: int = 10,
    transaction_pooler: bool = False,
) -> sa.Engine:
    """Create an engine with the pragmas and timeouts each backend needs.

    Every checkout is pre-pinged, so connections killed by a database restart are replaced
    instead of failing the next request. Behind a transaction pooler (PgBouncer) consecutive
    transactions may run on different server connections: psycopg must not prepare statements
    on one of them (it does after 5 runs of a query), and PgBouncer refuses startup options.
    """
    kwargs: dict = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs.update(pool_size=pool_size, max_overflow=max_overflow)
        # No JIT: for the pages' aggregates (well under a second) PostgreSQL spent ~150 ms
        # compiling code to save less (bench: 10M rows, top campaigns 690 -> 400 ms).
        options = ["-c jit=off"]
        if statement_timeout_ms:
            options.append(f"-c statement_timeout={int(statement_timeout_ms)}")
        kwargs["connect_args"] = {"connect_timeout": int(connect_timeout_s)}
        if transaction_pooler:
            kwargs["connect_args"]["prepare_threshold"] = None
        else:
            kwargs["connect_args"]["options"] = " ".join(options)
    if path := sqlite_file(url):
        # SQLite creates its file (and later its journals, with the same mode) per the umask:
        # a database of password hashes and e-mails is the owner's alone.
        create_owner_only(path)
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
    # The start time lives on the execution context: a failed statement leaves nothing behind
    # that a later statement could mistake for its own start.
    @sa.event.listens_for(engine, "before_cursor_execute")
    def _start(conn, cursor, statement, parameters, context, executemany):
        if context is not None:
            context.kiki_query_start = time.perf_counter()

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _stop(conn, cursor, statement, parameters, context, executemany):
        started = getattr(context, "kiki_query_start", None)
        if started is None:
            return
        elapsed_ms = (time.perf_counter() - started) * 1000
        if elapsed_ms >= threshold_ms:
            log.warning(
                "slow query %.0f ms: %s", elapsed_ms, " ".join(statement.split())[:500]
            )


class Replica:
    """One read replica: its engine, and until when it is considered down."""

    def __init__(self, name: str, engine: sa.Engine) -> None:
        self.name = name
        self.engine = engine
        self.sessionmaker = sessionmaker(engine, expire_on_commit=False)
        self.down_until = 0.0


class Database:
    """The app's engines and session factories; bound in the factory with init_app.

    Writes and reads that must see them use the primary (``db_session``); read-only
    repository calls may use ``read_session``, served by a replica when any is configured.
    """

    def __init__(self) -> None:
        self.engine: sa.Engine | None = None
        self.sessionmaker: sessionmaker | None = None
        self.replicas: list[Replica] = []
        self._turn = itertools.count()
        self.replica_retry_seconds = REPLICA_RETRY_SECONDS
        self.transaction_pooler = False

    def init_app(self, app: Flask) -> None:
        cfg = app.config
        settings = {
            "pool_size": cfg["DB_POOL_SIZE"],
            "max_overflow": cfg["DB_MAX_OVERFLOW"],
            "statement_timeout_ms": cfg["DB_STATEMENT_TIMEOUT_MS"],
            "slow_query_ms": cfg["SLOW_QUERY_MS"],
            "transaction_pooler": cfg.get("DB_TRANSACTION_POOLER", False),
        }
        self.transaction_pooler = settings["transaction_pooler"]
        self.engine = make_engine(cfg["DATABASE_URL"], **settings)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        from data import effects  # it lists this module's listeners below

        effects.install(self.sessionmaker)
        self.replicas = [
            Replica(f"replica-{n}", make_engine(url, connect_timeout_s=3, **settings))
            for n, url in enumerate(cfg.get("DATABASE_REPLICA_URLS") or (), start=1)
        ]
        self.replica_retry_seconds = cfg.get(
            "REPLICA_RETRY_SECONDS", REPLICA_RETRY_SECONDS
        )
        app.extensions["kiki_db"] = self
        app.extensions["kiki_engines"] = {
            "primary": self.engine,
            **{replica.name: replica.engine for replica in self.replicas},
        }
        app.teardown_appcontext(_close_request_session)

    def session_scope(self) -> AbstractContextManager[Session]:
        """A session for work outside a request (CLI, jobs): the write path's transaction."""
        from data.writes.transaction import write_transaction  # it imports this module

        return write_transaction(self)

    def replica_status(self) -> dict[str, dict]:
        """Each replica's reachability and lag, measured now: {"replica-1": {"status": "ok",
        "lag_seconds": 0.12}}; lag_seconds is None where it cannot be measured (unreachable,
        not PostgreSQL, or not a standby). Only reports: routing stays replica_session's."""
        status = {}
        for replica in self.replicas:
            entry: dict = {"status": "ok", "lag_seconds": None}
            try:
                with replica.engine.connect() as conn:
                    if replica.engine.dialect.name == "postgresql":
                        lag = conn.scalar(REPLICA_LAG_SQL)
                        entry["lag_seconds"] = (
                            None if lag is None else round(float(lag), 3)
                        )
                    else:
                        conn.execute(sa.text("SELECT 1"))
            except sa.exc.DBAPIError as exc:
                entry = {
                    "status": "unreachable",
                    "lag_seconds": None,
                    "error": exc.__class__.__name__,
                }
            status[replica.name] = entry
        return status

    def replica_session(self) -> Session | None:
        """A connected session on the next healthy replica (round-robin), or None."""
        count = len(self.replicas)
        first = next(self._turn)
        for offset in range(count):
            replica = self.replicas[(first + offset) % count]
            if replica.down_until > time.monotonic():
                continue
            session = replica.sessionmaker()
            try:
                if self.transaction_pooler:
                    # A pooler (PgBouncer) accepts the connection and answers the pre-ping
                    # whether or not the server behind it is up: ask the server itself.
                    session.execute(sa.text("SELECT 1"))
                else:
                    session.connection()  # connects (and pre-pings) now, not mid-read
            except sa.exc.DBAPIError as exc:
                session.close()
                if replica.down_until == 0.0:
                    log.warning(
                        "%s unreachable, reading from the primary: %s",
                        replica.name,
                        exc.__class__.__name__,
                    )
                replica.down_until = time.monotonic() + self.replica_retry_seconds
                continue
            if replica.down_until:
                log.warning("%s reachable again", replica.name)
                replica.down_until = 0.0
            return session
        return None


def get_database() -> Database:
    return current_app.extensions["kiki_db"]


def db_session() -> Session:
    """The current request's session on the primary, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = get_database().sessionmaker()
    return g.db_session


def read_session() -> Session:
    """A session for read-only repository calls in this request.

    A replica when DATABASE_REPLICA_URLS is set, one answers, and this user has not written
    in this request or the last REPLICA_LAG_SECONDS (read-your-writes); else the primary's.
    """
    if "db_read_session" in g:
        return g.db_read_session
    database = get_database()
    session = None
    if database.replicas and not _wrote_recently():
        session = database.replica_session()
    g.db_read_session = session or db_session()
    return g.db_read_session


def _wrote_recently() -> bool:
    if g.get("kiki_wrote"):
        return True
    until = flask_session.get(PRIMARY_UNTIL_KEY) if has_request_context() else None
    return isinstance(until, (int, float)) and until > time.time()


def note_write(session: Session, _flush_context) -> None:
    session.info["kiki_wrote"] = True


def note_dml(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["kiki_wrote"] = True


def remember_write(session: Session) -> None:
    """After a committed write, this user's reads go to the primary until replicas catch up."""
    if not session.info.pop("kiki_wrote", False) or not has_app_context():
        return
    g.kiki_wrote = True
    g.pop("db_read_session", None)
    if has_request_context() and get_database().replicas:
        lag = current_app.config.get("REPLICA_LAG_SECONDS", REPLICA_LAG_SECONDS)
        flask_session[PRIMARY_UNTIL_KEY] = time.time() + lag


def _close_request_session(_exc: BaseException | None) -> None:
    for name in ("db_read_session", "db_session"):
        session = g.pop(name, None)
        if session is not None:
            session.close()
