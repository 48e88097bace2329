"""Real backing services for tests: private PostgreSQL databases and Redis; CI fails when one is missing."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

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
