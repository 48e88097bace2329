"""On PostgreSQL, 50 concurrent approve/reject calls on one request: exactly one decision, one
audit row for it, one notification per recipient; every loser gets a Conflict naming the winner."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.db import make_engine
from data.errors import Conflict
from data.models import AuditLog, BudgetRequest, Notification
from data.writes import approvals, campaigns
from data.writes.transaction import write_transaction
from tests.data.lifecycle.conftest import TODAY, campaign_body, make_org
from tests.services import create_database, dispose_database

CALLS = 50


@pytest.fixture
def pg_engine(tmp_path):
    url = create_database("postgresql", tmp_path)
    engine = make_engine(url, pool_size=CALLS + 2, max_overflow=0)
    yield engine
    engine.dispose()
    dispose_database(url)


def test_fifty_concurrent_decisions_make_one(pg_engine):
    with Session(pg_engine, expire_on_commit=False) as session:
        org = make_org(session)
        cid = campaigns.create_campaign(session, org["analyst"], campaign_body())
        request = campaigns.submit_for_approval(
            session, org["analyst"], cid, today=TODAY
        )
        session.commit()
    start = threading.Barrier(CALLS)
    outcomes, lock = [], threading.Lock()

    def decide(i: int) -> None:
        admin = org["admin"] if i % 2 else org["admin2"]
        start.wait()
        try:
            with Session(pg_engine) as session, write_transaction(session) as s:
                if i % 4 < 2:
                    approvals.approve_request(s, admin, request.id)
                else:
                    approvals.reject_request(s, admin, request.id, reason=f"no {i}")
            result = "won"
        except Conflict as exc:
            result = str(exc)
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(CALLS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == CALLS
    assert outcomes.count("won") == 1
    losers = [o for o in outcomes if o != "won"]
    assert all(o.startswith("This request was already") for o in losers), losers[:3]
    with Session(pg_engine) as session:
        decided = session.get(BudgetRequest, request.id)
        assert decided.status in ("approved", "rejected") and decided.version == 2
        decisions = session.scalar(
            sa.select(sa.func.count()).where(
                AuditLog.action.in_(["budget_approved", "budget_rejected"])
            )
        )
        assert decisions == 1
        recipients = session.execute(
            sa.select(Notification.user_id, sa.func.count())
            .where(Notification.kind == f"budget_{decided.status}")
            .group_by(Notification.user_id)
        ).all()
        assert recipients == [(org["analyst"].user_id, 1)]
