"""The engine: pool settings from configuration, pre-ping, PostgreSQL statement timeout, slow-query log."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from data.db import get_database, make_engine
from tests.apps import make_app
from tests.services import create_pg_database, drop_pg_database

# A statement that takes a while on either backend.
SLOW = {
    "postgresql": "SELECT pg_sleep(0.2)",
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
    "WHERE i < 3000000) SELECT count(*) FROM n",
}


def test_pool_comes_from_configuration(fresh_url):
    app = make_app(fresh_url, DB_POOL_SIZE=3, DB_MAX_OVERFLOW=4)
    with app.server.app_context():
        engine = get_database().engine
    assert engine.pool._pre_ping is True
    if engine.dialect.name == "postgresql":
        assert engine.pool.size() == 3
        assert engine.pool._max_overflow == 4


def test_slow_queries_are_logged_and_fast_ones_are_not(fresh_url, caplog):
    backend = sa.make_url(fresh_url).get_backend_name()
    engine = make_engine(fresh_url, slow_query_ms=100)
    with caplog.at_level(logging.WARNING, logger="data.db"), engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
        with pytest.raises(sa.exc.DBAPIError):
            conn.execute(sa.text("SELECT * FROM no_such_table"))
        conn.rollback()
        conn.execute(sa.text("SELECT 2"))
        assert not [r for r in caplog.records if "slow query" in r.getMessage()]
        conn.execute(sa.text(SLOW[backend]))
    engine.dispose()
    slow = [r.getMessage() for r in caplog.records if "slow query" in r.getMessage()]
    assert len(slow) == 1 and SLOW[backend].split()[0] in slow[0]


def test_postgresql_statement_timeout_cancels_long_statements():
    url = create_pg_database("kiki_timeout")
    try:
        engine = make_engine(url, statement_timeout_ms=150)
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SHOW statement_timeout")) == "150ms"
            with pytest.raises(sa.exc.OperationalError, match="statement timeout"):
                conn.execute(sa.text("SELECT pg_sleep(2)"))
        engine.dispose()
    finally:
        drop_pg_database(url)


def test_postgresql_connections_run_without_jit():
    """JIT compilation cost more than it saved on the pages' aggregates (see docs/BENCHMARKS.md)."""
    url = create_pg_database("kiki_test_jit")
    try:
        engine = make_engine(url)
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SHOW jit")) == "off"
        engine.dispose()
    finally:
        drop_pg_database(url)
