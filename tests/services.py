"""Real backing services for tests: private PostgreSQL databases, Redis and an SMTP sink; CI fails when one is missing."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from data.ops.migrate import upgrade_to_head

PG_ADMIN_URL = os.environ.get(
    "KIKI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("KIKI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = bool(os.environ.get("CI"))


def unavailable(what: str, exc: Exception) -> None:
    """In CI a missing service fails the test; on a laptop it skips with the reason."""
    message = f"{what} is not reachable: {exc}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def _admin_engine() -> sa.Engine:
    return sa.create_engine(
        PG_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True
    )


def create_pg_database(prefix: str = "kiki_test") -> str:
    """A new empty PostgreSQL database (a private name, so parallel runs never collide); its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        engine = _admin_engine()
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001
        unavailable("PostgreSQL", exc)
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def create_database(backend: str, tmp_dir: Path) -> str:
    """A migrated, empty database of ``backend`` ("sqlite" or "postgresql"); its URL."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_dir / f'kiki-{uuid.uuid4().hex[:8]}.sqlite3'}"
    else:
        url = create_pg_database()
    upgrade_to_head(url)
    return url


def dispose_database(url: str) -> None:
    if url.startswith("postgresql"):
        drop_pg_database(url)


def redis_url() -> str:
    """The test Redis URL, after checking it answers."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        unavailable("Redis", exc)
    return REDIS_URL


class SmtpSink:
    """A real SMTP server on loopback (aiosmtpd) keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list = []
        self._arrived = threading.Condition()
        self._controller = None

    async def handle_DATA(self, _server, _session, envelope):  # aiosmtpd's handler hook
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 OK"

    def start(self) -> SmtpSink:
        with socket.socket() as probe:  # a free port on loopback
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self._controller = Controller(self, hostname="127.0.0.1", port=port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self._controller.port}"

    def to(self, address: str, timeout: float = 10.0) -> list:
        """The messages to ``address`` once at least one arrived (waits up to ``timeout``)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = [m for m in self.messages if m["To"] == address]
                left = deadline - time.monotonic()
                if found or left <= 0:
                    return found
                self._arrived.wait(left)
