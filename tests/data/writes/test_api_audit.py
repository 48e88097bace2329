"""The API's audit queue writes its rows in the background, in batches, and at close."""

from __future__ import annotations

import time
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from data.models import AuditLog
from data.scope import Actor
from data.writes.api_audit import AuditBatcher


@pytest.fixture
def marker(engine):
    """A unique action name; its rows are deleted afterwards (the batcher commits for real)."""
    action = f"test-{uuid.uuid4().hex[:12]}"
    yield action
    with engine.begin() as conn:
        conn.execute(sa.delete(AuditLog).where(AuditLog.action == action))


def _count(engine, action: str) -> int:
    with engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).where(AuditLog.action == action))


def _wait_for(engine, action: str, expected: int, seconds: float = 5.0) -> int:
    deadline = time.monotonic() + seconds
    while (found := _count(engine, action)) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def test_rows_arrive_within_the_flush_interval_without_an_explicit_flush(
    engine, marker
):
    batcher = AuditBatcher(sessionmaker(engine), flush_seconds=0.2)
    for index in range(3):
        batcher.record(Actor(None, None), marker, details={"n": index})
    assert _count(engine, marker) == 0  # queued, not written by the caller
    assert _wait_for(engine, marker, 3) == 3
    batcher.close()


def test_a_full_batch_is_written_before_the_interval(engine, marker):
    batcher = AuditBatcher(sessionmaker(engine), flush_seconds=30, batch_size=10)
    for _ in range(10):
        batcher.record(Actor(None, None), marker)
    assert _wait_for(engine, marker, 10, seconds=5) == 10
    batcher.close()


def test_close_writes_what_is_left(engine, marker):
    batcher = AuditBatcher(sessionmaker(engine), flush_seconds=30)
    batcher.record(Actor(None, None), marker, target_id="x")
    batcher.close()
    assert _count(engine, marker) == 1


def test_a_failing_database_does_not_raise_into_the_caller(marker):
    broken = sessionmaker(sa.create_engine("sqlite:////nonexistent/dir/db.sqlite3"))
    batcher = AuditBatcher(broken, flush_seconds=30)
    batcher.record(Actor(None, None), marker)
    assert batcher.flush() == 0
    batcher.close()
