"""The shared schema: every table of KIKI Analytics, one metadata, typed SQLAlchemy 2 models."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

PLATFORMS = ("meta", "google", "tiktok")
ROLES = ("viewer", "analyst", "admin")
CAMPAIGN_STATUSES = (
    "draft",
    "pending_approval",
    "approved",
    "rejected",
    "active",
    "paused",
    "completed",
)
ASSET_KINDS = ("image", "video", "copy")

# SQLite batch migrations cannot alter unnamed constraints: name them all.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Money = sa.Numeric(14, 2)
Rate = sa.Numeric(6, 4)
# BIGINT on PostgreSQL, INTEGER on SQLite (so the rowid alias autoincrements).
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    """A portable enum: VARCHAR plus a named CHECK constraint (no PostgreSQL ENUM type to manage)."""
    return sa.Enum(
        *values, name=name, native_enum=False, create_constraint=True, length=32
    )


def _now() -> sa.sql.functions.Function:
    return sa.func.now()


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    fee_rate: Mapped[Decimal] = mapped_column(Rate, server_default=sa.text("0.2000"))
    audit_retention_days: Mapped[int] = mapped_column(server_default=sa.text("365"))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )


class User(Base):
    __tablename__ = "users"
    __table_args__ = (sa.Index(None, "organization_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(_enum(ROLES, "role"))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(server_default=sa.true())
    # Bumped on logout, password change, deactivation and role change: older sessions die.
    session_epoch: Mapped[int] = mapped_column(server_default=sa.text("0"))
    failed_logins: Mapped[int] = mapped_column(server_default=sa.text("0"))
    locked_until: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(
        sa.DateTime(timezone=True)
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )

    organization: Mapped[Organization] = relationship()


class CampaignDeployment(Base):
    """A campaign (the seed's name for it): budget, status and the platforms it runs on."""

    __tablename__ = "campaign_deployments"
    __table_args__ = (
        sa.Index(None, "organization_id", "status"),
        sa.Index(None, "organization_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(
        _enum(CAMPAIGN_STATUSES, "campaign_status"), server_default="draft"
    )
    objective: Mapped[str | None] = mapped_column(sa.String(64))
    budget_daily: Mapped[Decimal] = mapped_column(Money, server_default=sa.text("0"))
    start_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    end_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )


class AdCopy(Base):
    __tablename__ = "ad_copies"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaign_deployments.id", ondelete="CASCADE"), index=True
    )
    variant_label: Mapped[str] = mapped_column(sa.String(32))
    headline: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    call_to_action: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )


class ImagePrompt(Base):
    __tablename__ = "image_prompts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaign_deployments.id", ondelete="CASCADE"), index=True
    )
    prompt: Mapped[str] = mapped_column(sa.Text)
    style: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )


class VideoPrompt(Base):
    __tablename__ = "video_prompts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaign_deployments.id", ondelete="CASCADE"), index=True
    )
    prompt: Mapped[str] = mapped_column(sa.Text)
    duration_seconds: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )


class UserAsset(Base):
    """A creative the customer brought (BYOC): stored file plus its checksum."""

    __tablename__ = "user_assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("campaign_deployments.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(_enum(ASSET_KINDS, "asset_kind"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_path: Mapped[str] = mapped_column(sa.String(500))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )


class PlatformDeployment(Base):
    """One campaign running on one ad platform, optionally with one ad-copy variant."""

    __tablename__ = "platformdeployments"
    __table_args__ = (sa.Index(None, "organization_id", "platform"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaign_deployments.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(_enum(PLATFORMS, "platform"))
    ad_copy_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("ad_copies.id", ondelete="SET NULL"), index=True
    )
    user_asset_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_assets.id", ondelete="SET NULL"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(sa.String(128))
    status: Mapped[str] = mapped_column(sa.String(32), server_default="active")
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )


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
    platform: Mapped[str] = mapped_column(_enum(PLATFORMS, "platform"))
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
    platform: Mapped[str] = mapped_column(_enum(PLATFORMS, "platform"))
    impressions: Mapped[int] = mapped_column(sa.BigInteger, server_default=sa.text("0"))
    clicks: Mapped[int] = mapped_column(sa.BigInteger, server_default=sa.text("0"))
    conversions: Mapped[int] = mapped_column(sa.BigInteger, server_default=sa.text("0"))
    spend: Mapped[Decimal] = mapped_column(Money, server_default=sa.text("0"))
    revenue: Mapped[Decimal] = mapped_column(Money, server_default=sa.text("0"))
    updated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
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
        sa.DateTime(timezone=True), server_default=_now()
    )


class FeeRate(Base):
    """An organization's fee rate from ``effective_from`` on (until the next row's date): the
    fee of a day is its revenue times the rate in effect that day, so a change never re-prices
    the past. Organization.fee_rate mirrors the rate in effect today."""

    __tablename__ = "fee_rates"
    __table_args__ = (sa.UniqueConstraint("organization_id", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    rate: Mapped[Decimal] = mapped_column(Rate)
    effective_from: Mapped[dt.date] = mapped_column(sa.Date)
    created_by: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )


class AuditLog(Base):
    __tablename__ = "audit_logs"
    __table_args__ = (
        sa.Index(None, "organization_id", "created_at"),
        sa.Index(None, "action"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    actor_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(sa.String(64))
    target_type: Mapped[str | None] = mapped_column(sa.String(64))
    target_id: Mapped[str | None] = mapped_column(sa.String(64))
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))
    details: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )


class PlatformCredential(Base):
    """An ad-platform API key, Fernet-encrypted; only the last four characters are kept in clear."""

    __tablename__ = "platform_credentials"
    __table_args__ = (sa.UniqueConstraint("organization_id", "platform"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    platform: Mapped[str] = mapped_column(_enum(PLATFORMS, "platform"))
    encrypted_value: Mapped[bytes] = mapped_column(sa.LargeBinary)
    last4: Mapped[str] = mapped_column(sa.String(4))
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )


class ApiToken(Base):
    """A personal API token: only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=_now()
    )
