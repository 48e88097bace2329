"""Campaigns and what they run: platform deployments, ad copy, image and video prompts, user assets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from data.models.base import (
    ASSET_KINDS,
    ASSET_STATUSES,
    BUDGET_TYPES,
    CAMPAIGN_STATUSES,
    PLATFORMS,
    Base,
    Money,
    enum_type,
    server_now,
)


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
        enum_type(CAMPAIGN_STATUSES, "campaign_status"), server_default="draft"
    )
    objective: Mapped[str | None] = mapped_column(sa.String(64))
    budget_daily: Mapped[Decimal] = mapped_column(Money, server_default=sa.text("0"))
    start_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    end_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )
    # The lifecycle (data/lifecycle.py): budget_daily stays the daily figure the reads use.
    budget_type: Mapped[str] = mapped_column(
        enum_type(BUDGET_TYPES, "budget_type"), server_default="daily"
    )
    budget_amount: Mapped[Decimal] = mapped_column(Money, server_default=sa.text("0"))
    currency: Mapped[str] = mapped_column(sa.String(3), server_default="USD")
    platforms: Mapped[str] = mapped_column(sa.String(64), server_default="")
    version: Mapped[int] = mapped_column(server_default=sa.text("1"))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))


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
        sa.DateTime(timezone=True), server_default=server_now()
    )
    # The creative this variant shows (the creatives library, data/writes/creatives.py).
    user_asset_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_assets.id", ondelete="SET NULL"), index=True
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
        sa.DateTime(timezone=True), server_default=server_now()
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
        sa.DateTime(timezone=True), server_default=server_now()
    )


class UserAsset(Base):
    """A creative the customer brought (BYOC): stored file plus its checksum, or ad copy (text).

    ``sha256`` is the stored file's (after re-encoding: the content address of
    ``storage_path``), ``source_sha256`` the uploaded bytes' (the same upload is stored once).
    """

    __tablename__ = "user_assets"
    __table_args__ = (
        sa.Index(None, "organization_id", "sha256"),
        sa.Index(None, "organization_id", "source_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("campaign_deployments.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(enum_type(ASSET_KINDS, "asset_kind"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_path: Mapped[str] = mapped_column(sa.String(500))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )
    # The creatives library (migration 0011, docs/CREATIVES.md).
    source_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    width: Mapped[int | None]
    height: Mapped[int | None]
    duration_seconds: Mapped[float | None] = mapped_column(sa.Float)
    video_codec: Mapped[str | None] = mapped_column(sa.String(32))
    thumbnail_path: Mapped[str | None] = mapped_column(sa.String(500))
    headline: Mapped[str | None] = mapped_column(sa.String(255))
    body: Mapped[str | None] = mapped_column(sa.Text)
    call_to_action: Mapped[str | None] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(
        enum_type(ASSET_STATUSES, "asset_status"), server_default="active"
    )
    archived_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Lineage of AI-generated creatives: the prompt it was made from.
    image_prompt_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("image_prompts.id", ondelete="SET NULL")
    )
    video_prompt_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("video_prompts.id", ondelete="SET NULL")
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
    platform: Mapped[str] = mapped_column(enum_type(PLATFORMS, "platform"))
    ad_copy_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("ad_copies.id", ondelete="SET NULL"), index=True
    )
    user_asset_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_assets.id", ondelete="SET NULL"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(sa.String(128))
    status: Mapped[str] = mapped_column(sa.String(32), server_default="active")
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=server_now()
    )
