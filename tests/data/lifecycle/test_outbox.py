"""Outbox delivery: N concurrent deliverers deliver each row once, a dead claim is taken over,
and a commit through an app sessionmaker delivers what it wrote (data/effects.py)."""

from __future__ import annotations

import collections
import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from data import effects, outbox
from data.db import make_engine
from data.models import OutboxEntry
from data.writes.notify import enqueue
from data.writes.transaction import write_transaction
from tests.services import create_database, dispose_database


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def outbox_engine(request, tmp_path_factory):
    url = create_database(request.param, tmp_path_factory.mktemp("outbox"))
    engine = (
        make_engine(url, pool_size=12, max_overflow=4)
        if "postgresql" in url
        else make_engine(url)
    )
    yield engine
    engine.dispose()
    dispose_database(url)


@pytest.fixture
def engine(outbox_engine):
    with outbox_engine.begin() as conn:
        conn.execute(sa.delete(OutboxEntry))
    return outbox_engine


def _add(engine, n: int) -> None:
    with Session(engine) as session:
        for i in range(n):
            enqueue(session, None, "test", {"n": i})
        session.commit()


def test_concurrent_deliverers_deliver_each_row_once(engine, monkeypatch):
    _add(engine, 300)
    seen = collections.Counter()
    lock = threading.Lock()

    def handler(payload):
        with lock:
            seen[payload["n"]] += 1

    monkeypatch.setitem(outbox.HANDLERS, "test", handler)
    start = threading.Barrier(8)
    totals = []

    def run():
        start.wait()
        totals.append(outbox.deliver_pending(engine, limit=20))

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(totals) == 300
    assert set(seen) == set(range(300)) and set(seen.values()) == {1}
    with Session(engine) as session:
        left = session.scalar(
            sa.select(sa.func.count()).where(OutboxEntry.delivered_at.is_(None))
        )
    assert left == 0


def test_a_dead_claim_is_taken_over_after_its_lease(engine):
    _add(engine, 3)
    with Session(engine) as session:
        assert len(outbox.claim(session, lease=dt.timedelta(hours=1))) == 3
    assert outbox.deliver_pending(engine) == 0  # still leased to the "dead" process
    with engine.begin() as conn:
        conn.execute(
            sa.update(OutboxEntry).values(
                claimed_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            )
        )
    assert outbox.deliver_pending(engine) == 3
    with Session(engine) as session:
        assert set(session.scalars(sa.select(OutboxEntry.attempts))) == {2}


def test_a_failing_handler_leaves_the_row_due(engine, monkeypatch):
    _add(engine, 1)

    def fail(_payload):
        raise RuntimeError("smtp down")

    monkeypatch.setitem(outbox.HANDLERS, "test", fail)
    assert outbox.deliver_pending(engine) == 0
    with Session(engine) as session:
        assert session.scalar(sa.select(OutboxEntry.delivered_at)) is None


def test_a_commit_delivers_what_it_wrote(engine):
    app_sessionmaker = sessionmaker(engine, expire_on_commit=False)
    effects.install(app_sessionmaker)
    with write_transaction(app_sessionmaker()) as session:
        enqueue(session, None, "test", {"n": 1})
    with Session(engine) as session:
        assert session.scalar(sa.select(OutboxEntry.delivered_at)) is not None
    with pytest.raises(RuntimeError), write_transaction(app_sessionmaker()) as session:
        enqueue(session, None, "test", {"n": 2})
        session.flush()
        raise RuntimeError("rolled back")
    with Session(engine) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(OutboxEntry)) == 1


def test_a_failed_row_waits_its_backoff_then_is_retried(engine, monkeypatch):
    _add(engine, 1)
    answers = ["smtp down", "smtp still down", None]

    def flaky(_payload):
        answer = answers.pop(0)
        if answer:
            raise RuntimeError(answer)

    monkeypatch.setitem(outbox.HANDLERS, "test", flaky)
    waits = []
    for attempt in (1, 2):
        before = dt.datetime.now(dt.UTC)
        assert outbox.deliver_pending(engine) == 0
        assert outbox.deliver_pending(engine) == 0  # not due before its backoff
        with Session(engine) as session:
            row = session.scalar(sa.select(OutboxEntry))
        assert row.attempts == attempt and row.delivered_at is None
        assert row.last_error.startswith("RuntimeError: smtp")
        available = row.available_at.replace(tzinfo=dt.UTC)
        waits.append((available - before).total_seconds())
        with engine.begin() as conn:  # the backoff has passed
            conn.execute(sa.update(OutboxEntry).values(available_at=before))
    # 10 s after the first failure, 20 s after the second (BACKOFF_BASE doubled).
    assert 10 <= waits[0] < 11 and 20 <= waits[1] < 21
    assert outbox.deliver_pending(engine) == 1
    with Session(engine) as session:
        row = session.scalar(sa.select(OutboxEntry))
    assert row.delivered_at is not None and row.attempts == 3


def test_a_row_is_given_up_after_max_attempts(engine, monkeypatch):
    _add(engine, 1)
    monkeypatch.setitem(outbox.HANDLERS, "test", lambda _p: 1 / 0)
    for _ in range(outbox.MAX_ATTEMPTS + 2):
        outbox.deliver_pending(engine)
        with engine.begin() as conn:
            conn.execute(sa.update(OutboxEntry).values(available_at=None))
    with Session(engine) as session:
        row = session.scalar(sa.select(OutboxEntry))
    assert row.attempts == outbox.MAX_ATTEMPTS and row.delivered_at is None
    assert row.last_error.startswith("ZeroDivisionError")
