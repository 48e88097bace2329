"""Live data's tables: alert rules and their episodes, webhook endpoints and their delivery
attempts, and the leased jobs of the scheduler (data/scheduler.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from data.models.base import PLATFORMS, Base, BigId, Money, enum_type, server_now

# What a rule measures (data/alerts/conditions.py defines each one).
ALERT_CONDITIONS = (
    "roas_below",  # ROAS over the last N days below X
    "cpa_above",  # CPA over the last N days above X
    "pacing_above",  # spend over X % of the budget (daily, or lifetime pro-rated)
    "zero_conversions",  # no conversion over N days while spend is above X
    "revenue_drop",  # yesterday's revenue more than X % below the day before
)
# What a rule watches: the whole organization, one platform or one campaign.
ALERT_TARGETS = ("organization", "platform", "campaign")
# ok, pending (breached for less than its "for" time), firing, resolved (ok again after
# firing), snoozed (until snoozed_until), error (the evaluation failed: last_message).
ALERT_STATES = ("ok", "pending", "firing", "resolved", "snoozed", "error")
ALERT_CHANNELS = ("in_app", "email", "webhook")


class AlertRule(Base):
    """A condition over a target, evaluated when its data commits and by the periodic sweep.

    The sweep claims a rule whose ``next_due_at`` has come with a lease (``lease_until`` and
    ``leased_by``), so any number of processes evaluate it once; a lease that runs out is
    taken over."""

    __tablename__ = "alert_rules"
    __table_args__ = (
        sa.Index(None, "organization_id", "id"),
        sa.Index(None, "next_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    condition: Mapped[str] = mapped_column(
        enum_type(ALERT_CONDITIONS, "alert_condition")
    )
    target: Mapped[str] = mapped_column(enum_type(ALERT_TARGETS, "alert_target"))
    platform: Mapped[str | None] = mapped_column(enum_type(PLATFORMS, "alert_platform"))
    campaign_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("campaign_deployments.id", ondelete="CASCADE")
    )
    threshold: Mapped[Decimal] = mapped_column(sa.Numeric(14, 4))
    window_days: Mapped[int] = mapped_column(server_default=sa.text("7"))
    # zero_conversions: spend above this over the window makes "no conversions" a breach.
    min_spend: Mapped[Decimal | None] = mapped_column(Money)
    # Breached for this long before it fires (0: fires at once); pending meanwhile.
    for_minutes: Mapped[int] = mapped_column(server_default=sa.text("0"))
    # A reminder every this many hours while still firing (None: no reminders).
    reminder_hours: Mapped[int | None]
    channels: Mapped[list] = mapped_column(sa.JSON)  # a subset of ALERT_CHANNELS
    # E-mail and in-app recipients: users of the organization (ids).
    recipient_ids: Mapped[list] = mapped_column(sa.JSON)
    is_active: Mapped[bool] = mapped_column(server_default=sa.true())
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )
    version: Mapped[int] = mapped_column(server_default=sa.text("1"))
    # The evaluation's findings.
    state: Mapped[str] = mapped_column(
        enum_type(ALERT_STATES, "alert_state"), server_default="ok"
    )
    snoozed_until: Mapped[dt.datetime | None] = mapped_column(
        sa.DateTime(timezone=True)
    )
    breached_since: Mapped[dt.datetime | None] = mapped_column(
        sa.DateTime(timezone=True)
    )
    last_evaluated_at: Mapped[dt.datetime | None] = mapped_column(
        sa.DateTime(timezone=True)
    )
    last_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 4))
    last_message: Mapped[str] = mapped_column(sa.String(500), server_default="")
    # The scheduler's lease.
    next_due_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    lease_until: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    leased_by: Mapped[str | None] = mapped_column(sa.String(64))


class AlertEpisode(Base):
    """One firing of a rule, from the moment it fired until it resolved."""

    __tablename__ = "alert_episodes"
    __table_args__ = (sa.Index(None, "rule_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    rule_id: Mapped[int] = mapped_column(
        sa.ForeignKey("alert_rules.id", ondelete="CASCADE")
    )
    breached_since: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    fired_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    fired_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 4))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    resolved_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 4))
    reminders_sent: Mapped[int] = mapped_column(server_default=sa.text("0"))
    last_notified_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))


class WebhookEndpoint(Base):
    """Where an organization's alert events are POSTed, signed in the Standard Webhooks style
    with a secret kept encrypted (the app's cipher)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.String(200), server_default="")
    secret_encrypted: Mapped[str] = mapped_column(sa.String(500))
    is_active: Mapped[bool] = mapped_column(server_default=sa.true())
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )


class WebhookAttempt(Base):
    """Every attempt to deliver a webhook: its answer or error, for admins to see."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (sa.Index(None, "organization_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    endpoint_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("webhook_endpoints.id", ondelete="SET NULL")
    )
    outbox_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox.id", ondelete="SET NULL")
    )
    message_id: Mapped[str] = mapped_column(sa.String(100))
    event_type: Mapped[str] = mapped_column(sa.String(64))
    attempt: Mapped[int]
    attempted_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )
    status_code: Mapped[int | None]
    error: Mapped[str] = mapped_column(sa.String(500), server_default="")
    duration_ms: Mapped[int | None]


class ScheduledJob(Base):
    """A periodic job of the scheduler (the alert sweep, ...): one row a job, claimed with a
    lease when ``next_run_at`` has come, so it runs once per due time whatever the number of
    processes; a due time missed while everything was down runs once on start."""

    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    next_run_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    lease_until: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    leased_by: Mapped[str | None] = mapped_column(sa.String(64))
    last_started_at: Mapped[dt.datetime | None] = mapped_column(
        sa.DateTime(timezone=True)
    )
    last_finished_at: Mapped[dt.datetime | None] = mapped_column(
        sa.DateTime(timezone=True)
    )
    last_outcome: Mapped[str] = mapped_column(sa.String(500), server_default="")
