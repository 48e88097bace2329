"""What campaigns earn: daily performance metrics, the daily revenue rollup and LTV predictions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from data.models.base import PLATFORMS, Base, BigId, Money, Rate, enum_type, server_now


class PerformanceMetric(Base):
    """One row per platform deployment per day. organization_id, campaign_id and platform are
    copied from the deployment so the large table aggregates without joins."""

    __tablename__ = "performance_metrics"
    __table_args__ = (
        sa.UniqueConstraint("platform_deployment_id", "date"),
        sa.Index(None, "organization_id", "date"),
        sa.Index(None, "campaign_id", "date"),
        # Rows arrive in date order: a BRIN index (kilobytes) finds a date range's pages.
        sa.Index(None, "date", postgresql_using="brin"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaign_deployments.id", ondelete="CASCADE")
    )
    platform_deployment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("platformdeployments.id", ondelete="CASCADE")
    )
    platform: Mapped[str] = mapped_column(enum_type(PLATFORMS, "platform"))
    date: Mapped[dt.date] = mapped_column(sa.Date)
    impressions: Mapped[int] = mapped_column(sa.BigInteger, server_default=sa.text("0"))
    clicks: Mapped[int] = mapped_column(sa.BigInteger, server_default=sa.text("0"))
    conversions: Mapped[int] = mapped_column(sa.BigInteger, server_default=sa.text("0"))
    spend: Mapped[Decimal] = mapped_column(Money, server_default=sa.text("0"))
    revenue: Mapped[Decimal] = mapped_column(Money, server_default=sa.text("0"))


class DailyRevenueSummary(Base):
    """Rollup of performance_metrics per organization, day and platform."""

    __tablename__ = "daily_revenue_summary"
    __table_args__ = (sa.UniqueConstraint("organization_id", "date", "platform"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    date: Mapped[dt.date] = mapped_column(sa.Date)
    platform: Mapped[str] = mapped_column(enum_type(PLATFORMS, "platform"))
    impressions: Mapped[int] = mapped_column(sa.BigInteger, server_default=sa.text("0"))
    clicks: Mapped[int] = mapped_column(sa.BigInteger, server_default=sa.text("0"))
    conversions: Mapped[int] = mapped_column(sa.BigInteger, server_default=sa.text("0"))
    spend: Mapped[Decimal] = mapped_column(Money, server_default=sa.text("0"))
    revenue: Mapped[Decimal] = mapped_column(Money, server_default=sa.text("0"))
    updated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )


class LtvPrediction(Base):
    __tablename__ = "ltv_predictions"
    __table_args__ = (sa.Index(None, "campaign_id", "predicted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaign_deployments.id", ondelete="CASCADE")
    )
    cohort_size: Mapped[int] = mapped_column(server_default=sa.text("0"))
    predicted_ltv: Mapped[Decimal] = mapped_column(Money)
    acquisition_cost: Mapped[Decimal] = mapped_column(Money)
    payback_days: Mapped[int | None]
    confidence: Mapped[Decimal | None] = mapped_column(Rate)
    model_version: Mapped[str] = mapped_column(sa.String(32))
    predicted_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )


class LtvCohortValue(Base):
    """The prediction model's cumulative value per customer of one monthly acquisition cohort of
    a campaign, by months since acquisition (0 = the cohort's own month): a cache like
    ltv_predictions, rewritten when the model runs. ``customers`` is the cohort size the model
    saw; the LTV page counts customers from performance_metrics' conversions."""

    __tablename__ = "ltv_cohort_values"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "cohort_month", "months_since"),
        sa.Index(None, "organization_id", "cohort_month"),
        sa.CheckConstraint("months_since >= 0", name="months_since_not_negative"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaign_deployments.id", ondelete="CASCADE")
    )
    cohort_month: Mapped[dt.date] = mapped_column(sa.Date)  # the month's first day
    months_since: Mapped[int] = mapped_column(sa.SmallInteger)
    customers: Mapped[int] = mapped_column(server_default=sa.text("0"))
    cumulative_value_per_customer: Mapped[Decimal] = mapped_column(Money)
    computed_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )
