"""The campaign lifecycle's tables: budget requests, organization settings, notifications, outbox."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from data.models.base import BUDGET_TYPES, Base, BigId, Money, enum_type, server_now

REQUEST_STATUSES = ("pending", "approved", "rejected", "cancelled")


class OrganizationSettings(Base):
    """One row per organization (absent = the defaults): currency, approval rules, limits."""

    __tablename__ = "organization_settings"

    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(sa.String(3), server_default="USD")
    # An IANA zone name: the organization's calendar days (alert windows, schedules).
    time_zone: Mapped[str] = mapped_column(sa.String(64), server_default="UTC")
    # One-person agencies: the requester may decide their own request.
    allow_self_approval: Mapped[bool] = mapped_column(server_default=sa.false())
    # Requests at or under it are approved on submit (recorded as auto-approved).
    auto_approve_ceiling: Mapped[Decimal | None] = mapped_column(Money)
    monthly_spend_cap: Mapped[Decimal | None] = mapped_column(Money)
    # The largest budget amount one campaign may ask for.
    max_budget_amount: Mapped[Decimal | None] = mapped_column(Money)
    updated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )


class BudgetRequest(Base):
    """A campaign's request for its budget; decided once, by compare-and-set on ``version``."""

    __tablename__ = "budget_requests"
    __table_args__ = (sa.Index(None, "organization_id", "status", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaign_deployments.id", ondelete="CASCADE"), index=True
    )
    budget_type: Mapped[str] = mapped_column(enum_type(BUDGET_TYPES, "budget_type"))
    requested_amount: Mapped[Decimal] = mapped_column(Money)
    approved_amount: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(sa.String(3))
    status: Mapped[str] = mapped_column(
        enum_type(REQUEST_STATUSES, "budget_request_status"), server_default="pending"
    )
    auto_approved: Mapped[bool] = mapped_column(server_default=sa.false())
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decision_reason: Mapped[str | None] = mapped_column(sa.String(500))
    version: Mapped[int] = mapped_column(server_default=sa.text("1"))
    requested_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )
    decided_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))


class Notification(Base):
    """Something that concerns one user; written in the transaction of the change it reports."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index(None, "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.String(500), server_default="")
    link: Mapped[str] = mapped_column(sa.String(300), server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )
    read_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Set where a notification must exist at most once (an alert episode's firing for a
    # user): a second insert is refused by the database, not merely unlikely.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)


class NotificationMute(Base):
    """A user does not want notifications of one kind."""

    __tablename__ = "notification_mutes"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(sa.String(64), primary_key=True)


class OutboxEntry(Base):
    """Transactional outbox: written with the change, delivered after commit by claiming it
    with a lease (data/outbox.py). Payloads hold ids and amounts, never names or addresses."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index(None, "delivered_at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(sa.String(64))
    payload: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )
    delivered_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(server_default=sa.text("0"))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(
        sa.DateTime(timezone=True)
    )
    # Not delivered before this time (a failed attempt's backoff); None: at once.
    available_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Set where a delivery must happen at most once (an alert episode's e-mail or webhook):
    # a second insert is refused by the database.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    last_error: Mapped[str] = mapped_column(sa.String(500), server_default="")
