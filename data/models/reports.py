"""Scheduled report delivery's tables: subscriptions (a view, its filters, a schedule, a lease),
their recipients, and one row per run (unique per subscription and due time)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from data.models.base import Base, BigId, enum_type, server_now

REPORT_VIEWS = ("overview", "campaigns", "campaign")
REPORT_FREQUENCIES = ("daily", "weekly", "monthly")
# ok: sent; failed: rendering or sending failed; skipped: nothing sent on purpose (the owner
# left or lost the role, nobody to send to); running: started, not finished (a crash shows so).
REPORT_OUTCOMES = ("running", "ok", "failed", "skipped")
REPORT_TRIGGERS = ("schedule", "manual")
LAST_DAY = -1  # month_day: the last day of each month


class ReportSubscription(Base):
    """A view with its filters (relative ranges kept relative), e-mailed on a schedule in the
    organization's time zone. The delivery job claims it with a lease when ``next_run_at`` has
    come (data/reports/deliver.py)."""

    __tablename__ = "report_subscriptions"
    __table_args__ = (
        sa.Index(None, "organization_id", "id"),
        sa.Index(None, "next_run_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    # NULL once the owner's account is removed: admins see "owner left".
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    view: Mapped[str] = mapped_column(enum_type(REPORT_VIEWS, "report_view"))
    campaign_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("campaign_deployments.id", ondelete="CASCADE")
    )
    # The view's query parameters; "range" is a preset name resolved at send time.
    params: Mapped[dict] = mapped_column(sa.JSON)
    frequency: Mapped[str] = mapped_column(
        enum_type(REPORT_FREQUENCIES, "report_frequency")
    )
    weekday: Mapped[int | None]  # weekly: 0 Monday … 6 Sunday
    month_day: Mapped[int | None]  # monthly: 1-28, or LAST_DAY
    hour: Mapped[int]  # 0-23 in the organization's time zone
    include_csv: Mapped[bool] = mapped_column(server_default=sa.false())
    paused: Mapped[bool] = mapped_column(server_default=sa.false())
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )
    version: Mapped[int] = mapped_column(server_default=sa.text("1"))
    next_run_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    lease_until: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    leased_by: Mapped[str | None] = mapped_column(sa.String(64))


class ReportRecipient(Base):
    """A user of the subscription's organization who gets its e-mail (one click on the
    unsubscribe link removes the row)."""

    __tablename__ = "report_recipients"
    __table_args__ = (sa.UniqueConstraint("subscription_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        sa.ForeignKey("report_subscriptions.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )


class ReportRun(Base):
    """One delivery of a subscription: scheduled (``due_at`` its slot) or sent now (``due_at``
    the moment it was asked). Unique per (subscription, due time): of two processes racing for
    one slot, the second's insert is refused and it sends nothing."""

    __tablename__ = "report_runs"
    __table_args__ = (
        sa.UniqueConstraint("subscription_id", "due_at"),
        sa.Index(None, "organization_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    subscription_id: Mapped[int] = mapped_column(
        sa.ForeignKey("report_subscriptions.id", ondelete="CASCADE")
    )
    due_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    trigger: Mapped[str] = mapped_column(enum_type(REPORT_TRIGGERS, "report_trigger"))
    outcome: Mapped[str] = mapped_column(
        enum_type(REPORT_OUTCOMES, "report_outcome"), server_default="running"
    )
    message: Mapped[str] = mapped_column(sa.String(500), server_default="")
    recipients: Mapped[int] = mapped_column(server_default=sa.text("0"))
    started_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
