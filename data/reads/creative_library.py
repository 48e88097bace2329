"""The creatives library: every creative of the organization with its performance over a range.

A creative's performance is the sum over the platform deployments that used it: those that
show it (``platformdeployments.user_asset_id``) and those whose ad-copy variant shows it
(``ad_copies.user_asset_id``), each deployment counted once. Columns: LIBRARY_COLUMNS (money
as ``Decimal``, ratios float64 with NaN where the denominator is 0; ``spec_problems``: platform
-> the reasons the creative fails its spec, an empty list when it meets it).
"""

from __future__ import annotations

import functools
from decimal import Decimal

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.filters import DateRange
from data.media import specs
from data.metric_definitions import ratio
from data.models import (
    AdCopy,
    CampaignDeployment,
    ImagePrompt,
    PerformanceMetric,
    PlatformDeployment,
    User,
    UserAsset,
    VideoPrompt,
)
from data.scope import Scope

INFO_COLUMNS = [
    "asset_id",
    "kind",
    "filename",
    "content_type",
    "size_bytes",
    "width",
    "height",
    "duration_seconds",
    "video_codec",
    "status",
    "has_file",
    "has_thumbnail",
    "headline",
    "body",
    "call_to_action",
    "sha256",
    "campaign_id",
    "campaign_name",
    "uploaded_by",
    "created_at",
    "prompt",
]
SUM_NAMES = ["impressions", "clicks", "conversions", "spend", "revenue"]
LIBRARY_COLUMNS = [
    *INFO_COLUMNS,
    "deployments",
    "platforms",
    *SUM_NAMES,
    "roas",
    "ctr",
    "cvr",
    "spec_problems",
]
CENT = Decimal("0.01")


def creative_library(
    session: Session,
    scope: Scope,
    rng: DateRange,
    *,
    campaign_id: int | None = None,
    asset_id: int | None = None,
) -> pd.DataFrame:
    """The organization's creatives (of one campaign, or one creative, when given), newest
    first, with the sums and ratios of the deployments that used them within ``rng``."""
    params = {
        "organization_id": scope.organization_id,
        "start": rng.start,
        "end": rng.end,
        "campaign_id": campaign_id,
        "asset_id": asset_id,
    }
    rows = session.execute(_library_statement(), params).all()
    usage = _usage(session, params)
    columns: dict[str, list] = {
        name: [] for name in [*INFO_COLUMNS, "deployments", "platforms", *SUM_NAMES]
    }
    for row in rows:
        info = row._mapping
        for name in INFO_COLUMNS:
            columns[name].append(info[name])
        used = usage.get(info["asset_id"], {})
        columns["deployments"].append(used.get("deployments", 0))
        columns["platforms"].append(used.get("platforms", ""))
        for name in SUM_NAMES:
            columns[name].append(used.get(name, 0))
    frame = pd.DataFrame(columns)
    for name in ("impressions", "clicks", "conversions", "deployments"):
        frame[name] = frame[name].astype("int64")
    for name in ("spend", "revenue"):
        frame[name] = [Decimal(v).quantize(CENT) for v in frame[name]]
    for name, num, den in (
        ("roas", "revenue", "spend"),
        ("ctr", "clicks", "impressions"),
        ("cvr", "conversions", "clicks"),
    ):
        values = [ratio(n, d) for n, d in zip(frame[num], frame[den], strict=True)]
        frame[name] = np.array([np.nan if v is None else v for v in values], "float64")
    frame["spec_problems"] = [
        specs.badges(_spec_view(row)) for row in frame.itertuples(index=False)
    ]
    return frame[LIBRARY_COLUMNS]


def _spec_view(row) -> specs.Creative:
    def number(value):
        return None if value is None or pd.isna(value) else value

    return specs.Creative(
        kind=row.kind,
        content_type=row.content_type,
        size_bytes=int(row.size_bytes or 0),
        width=number(row.width),
        height=number(row.height),
        duration_seconds=number(row.duration_seconds),
        headline=row.headline if isinstance(row.headline, str) else None,
        body=row.body if isinstance(row.body, str) else None,
    )


@functools.cache
def _library_statement():
    a = UserAsset.__table__
    prompt = sa.func.coalesce(
        ImagePrompt.__table__.c.prompt, VideoPrompt.__table__.c.prompt
    )
    return (
        sa.select(
            a.c.id.label("asset_id"),
            a.c.kind,
            a.c.filename,
            a.c.content_type,
            a.c.size_bytes,
            a.c.width,
            a.c.height,
            a.c.duration_seconds,
            a.c.video_codec,
            a.c.status,
            sa.and_(
                a.c.storage_path != "", ~a.c.storage_path.startswith("demo/")
            ).label("has_file"),
            a.c.thumbnail_path.is_not(None).label("has_thumbnail"),
            a.c.headline,
            a.c.body,
            a.c.call_to_action,
            a.c.sha256,
            a.c.campaign_id,
            CampaignDeployment.__table__.c.name.label("campaign_name"),
            User.__table__.c.name.label("uploaded_by"),
            a.c.created_at,
            prompt.label("prompt"),
        )
        .select_from(
            a.outerjoin(
                CampaignDeployment.__table__,
                CampaignDeployment.__table__.c.id == a.c.campaign_id,
            )
            .outerjoin(User.__table__, User.__table__.c.id == a.c.uploaded_by_id)
            .outerjoin(
                ImagePrompt.__table__, ImagePrompt.__table__.c.id == a.c.image_prompt_id
            )
            .outerjoin(
                VideoPrompt.__table__, VideoPrompt.__table__.c.id == a.c.video_prompt_id
            )
        )
        .where(
            a.c.organization_id == sa.bindparam("organization_id"),
            sa.or_(
                sa.bindparam("campaign_id", type_=sa.Integer).is_(None),
                a.c.campaign_id == sa.bindparam("campaign_id", type_=sa.Integer),
                a.c.id.in_(_used_by_campaign()),
            ),
            sa.or_(
                sa.bindparam("asset_id", type_=sa.Integer).is_(None),
                a.c.id == sa.bindparam("asset_id", type_=sa.Integer),
            ),
        )
        .order_by(a.c.created_at.desc(), a.c.id.desc())
    )


def _uses():
    """(asset_id, deployment_id, platform) of every deployment that used a creative."""
    pd_ = PlatformDeployment.__table__
    copies = AdCopy.__table__
    direct = sa.select(
        pd_.c.user_asset_id.label("asset_id"),
        pd_.c.id.label("deployment_id"),
        pd_.c.platform,
        pd_.c.campaign_id,
    ).where(
        pd_.c.organization_id == sa.bindparam("organization_id"),
        pd_.c.user_asset_id.is_not(None),
    )
    through_copy = (
        sa.select(
            copies.c.user_asset_id.label("asset_id"),
            pd_.c.id.label("deployment_id"),
            pd_.c.platform,
            pd_.c.campaign_id,
        )
        .select_from(pd_.join(copies, copies.c.id == pd_.c.ad_copy_id))
        .where(
            pd_.c.organization_id == sa.bindparam("organization_id"),
            copies.c.user_asset_id.is_not(None),
        )
    )
    return sa.union(direct, through_copy).subquery("uses")


def _used_by_campaign():
    uses = _uses()
    return sa.select(uses.c.asset_id).where(
        uses.c.campaign_id == sa.bindparam("campaign_id", type_=sa.Integer)
    )


@functools.cache
def _usage_statement():
    uses = _uses()
    pm = PerformanceMetric.__table__
    sums = (
        sa.select(
            pm.c.platform_deployment_id,
            *[sa.func.coalesce(sa.func.sum(pm.c[n]), 0).label(n) for n in SUM_NAMES],
        )
        .where(
            pm.c.organization_id == sa.bindparam("organization_id"),
            pm.c.date.between(sa.bindparam("start"), sa.bindparam("end")),
        )
        .group_by(pm.c.platform_deployment_id)
        .subquery()
    )
    return sa.select(
        uses.c.asset_id,
        uses.c.deployment_id,
        uses.c.platform,
        *[sums.c[n] for n in SUM_NAMES],
    ).select_from(
        uses.outerjoin(sums, sums.c.platform_deployment_id == uses.c.deployment_id)
    )


def _usage(session: Session, params: dict) -> dict[int, dict]:
    found: dict[int, dict] = {}
    platforms: dict[int, set[str]] = {}
    for row in session.execute(_usage_statement(), params):
        entry = found.setdefault(
            row.asset_id, {"deployments": 0, **{n: 0 for n in SUM_NAMES}}
        )
        entry["deployments"] += 1
        platforms.setdefault(row.asset_id, set()).add(row.platform)
        for name in SUM_NAMES:
            value = getattr(row, name)
            entry[name] += value if value is not None else 0
    for asset_id, names in platforms.items():
        found[asset_id]["platforms"] = ", ".join(sorted(names))
    return found


def creative_file(session: Session, scope: Scope, asset_id: int) -> dict | None:
    """What the file route needs of the organization's creative ``asset_id`` (None: not
    this organization's, or no such creative)."""
    row = session.execute(
        sa.select(
            UserAsset.id,
            UserAsset.kind,
            UserAsset.filename,
            UserAsset.content_type,
            UserAsset.storage_path,
            UserAsset.thumbnail_path,
            UserAsset.sha256,
        ).where(
            UserAsset.id == asset_id, UserAsset.organization_id == scope.organization_id
        )
    ).first()
    return dict(row._mapping) if row else None


def creative_by_hash(session: Session, scope: Scope, sha256: str) -> int | None:
    """The id of the organization's creative stored as ``sha256`` (None: no such file here)."""
    return session.scalar(
        sa.select(UserAsset.id)
        .where(
            UserAsset.organization_id == scope.organization_id,
            sa.or_(UserAsset.sha256 == sha256, UserAsset.source_sha256 == sha256),
        )
        .order_by(UserAsset.id)
        .limit(1)
    )


def deployment_choices(session: Session, scope: Scope) -> list[tuple[int, str, str]]:
    """(deployment id, campaign name, platform) of the organization's live campaigns' platform
    deployments, by campaign name: what a creative can be linked to."""
    rows = session.execute(
        sa.select(
            PlatformDeployment.id, CampaignDeployment.name, PlatformDeployment.platform
        )
        .join(
            CampaignDeployment, CampaignDeployment.id == PlatformDeployment.campaign_id
        )
        .where(
            PlatformDeployment.organization_id == scope.organization_id,
            CampaignDeployment.deleted_at.is_(None),
        )
        .order_by(CampaignDeployment.name, PlatformDeployment.platform)
    )
    return [(row[0], row[1], row[2]) for row in rows]


def ad_copy_choices(session: Session, scope: Scope) -> list[tuple[int, str, str, str]]:
    """(ad copy id, campaign name, variant label, headline) of the organization's live
    campaigns' ad-copy variants: the other thing a creative can be linked to."""
    rows = session.execute(
        sa.select(
            AdCopy.id, CampaignDeployment.name, AdCopy.variant_label, AdCopy.headline
        )
        .join(CampaignDeployment, CampaignDeployment.id == AdCopy.campaign_id)
        .where(
            AdCopy.organization_id == scope.organization_id,
            CampaignDeployment.deleted_at.is_(None),
        )
        .order_by(CampaignDeployment.name, AdCopy.variant_label)
    )
    return [(row[0], row[1], row[2], row[3]) for row in rows]
