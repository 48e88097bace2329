"""Committed writes made beside a running app, as an ingest or another user would: for the live tests."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from data.db import get_database
from data.models import Notification, PerformanceMetric, User
from data.writes.transaction import write_transaction


def add_revenue(app, organization_id: int, amount: str = "1000") -> None:
    """More revenue on the organization's latest metrics row, through the one write path (the
    rollup is refreshed in the same transaction)."""
    with app.server.app_context(), write_transaction(get_database()) as session:
        row = session.scalars(
            sa.select(PerformanceMetric)
            .where(PerformanceMetric.organization_id == organization_id)
            .order_by(PerformanceMetric.date.desc(), PerformanceMetric.id)
            .limit(1)
        ).one()
        row.revenue = row.revenue + Decimal(amount)


def notify(
    app, organization_id: int, email: str, title: str = "Numbers arrived"
) -> None:
    """A notification for the user with ``email``."""
    with app.server.app_context(), write_transaction(get_database()) as session:
        user = session.scalar(sa.select(User).where(User.email == email))
        session.add(
            Notification(
                organization_id=organization_id,
                user_id=user.id,
                kind="test",
                title=title,
            )
        )
