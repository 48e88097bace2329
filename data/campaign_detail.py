"""Reads for one campaign: its record, daily trend per platform, deployments, A/B variants, creatives, LTV.

Every function is scoped: a campaign of another organization reads as empty (as if it did not exist).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.analytics import fee_rate
from data.filters import DateRange
from data.metrics import METRIC_COLUMNS, SUM_COLUMNS, add_derived_metrics, zero_sums
from data.models import (
    AdCopy,
    CampaignDeployment,
    ImagePrompt,
    LtvPrediction,
    PerformanceMetric,
    PlatformDeployment,
    UserAsset,
    VideoPrompt,
)
from data.scope import Scope
from data.stats import two_proportion_p_value, wilson_interval

pm = PerformanceMetric.__table__

CAMPAIGN_INFO_COLUMNS = [
    "campaign_id",
    "name",
    "status",
    "objective",
    "budget_daily",
    "start_date",
    "end_date",
    "created_at",
]
DAILY_COLUMNS = ["date", "platform", *METRIC_COLUMNS]
DEPLOYMENT_COLUMNS = [
    "deployment_id",
    "platform",
    "status",
    "variant_label",
    "external_id",
    *METRIC_COLUMNS,
]
VARIANT_COLUMNS = [
    "ad_copy_id",
    "variant_label",
    "headline",
    *METRIC_COLUMNS,
    "ctr_low",
    "ctr_high",
    "cvr_low",
    "cvr_high",
    "cvr_p_value",
    "verdict",
]
LTV_COLUMNS = [
    "campaign_id",
    "campaign_name",
    "cohort_size",
    "predicted_ltv",
    "acquisition_cost",
    "payback_days",
    "confidence",
    "model_version",
    "predicted_at",
]
SIGNIFICANCE = 0.05


def _rate_or_read(session: Session, scope: Scope, rate: Decimal | None) -> Decimal:
    """The fee rate the caller already read (a page needs it four times), else read it."""
    return fee_rate(session, scope) if rate is None else rate


def _sums():
    return [
        sa.func.coalesce(sa.func.sum(pm.c[name]), 0).label(name) for name in SUM_COLUMNS
    ]


def campaign_info(session: Session, scope: Scope, campaign_id: int) -> pd.DataFrame:
    """One row (or none when the campaign is not the caller's). Columns: CAMPAIGN_INFO_COLUMNS."""
    c = CampaignDeployment
    stmt = sa.select(
        c.id.label("campaign_id"),
        c.name,
        c.status,
        c.objective,
        c.budget_daily,
        c.start_date,
        c.end_date,
        c.created_at,
    ).where(c.id == campaign_id, c.organization_id == scope.organization_id)
    return pd.DataFrame(
        [row._asdict() for row in session.execute(stmt)], columns=CAMPAIGN_INFO_COLUMNS
    )


def _in_campaign(scope: Scope, campaign_id: int, rng: DateRange) -> list:
    return [
        pm.c.organization_id == scope.organization_id,
        pm.c.campaign_id == campaign_id,
        pm.c.date.between(rng.start, rng.end),
    ]


def campaign_daily(
    session: Session,
    scope: Scope,
    campaign_id: int,
    rng: DateRange,
    rate: Decimal | None = None,
) -> pd.DataFrame:
    """One row per day of the range per platform the campaign runs on, zero-filled. Columns: DAILY_COLUMNS."""
    stmt = (
        sa.select(pm.c.date, pm.c.platform, *_sums())
        .where(*_in_campaign(scope, campaign_id, rng))
        .group_by(pm.c.date, pm.c.platform)
    )
    found = {(row.date, row.platform): row._asdict() for row in session.execute(stmt)}
    platforms = session.scalars(
        sa.select(PlatformDeployment.platform)
        .distinct()
        .where(
            PlatformDeployment.campaign_id == campaign_id,
            PlatformDeployment.organization_id == scope.organization_id,
        )
    ).all()
    rows = []
    for offset in range(rng.days):
        day = rng.start + dt.timedelta(days=offset)
        for platform in sorted(platforms):
            sums = found.get((day, platform)) or zero_sums()
            rows.append(
                {"date": day, "platform": platform, **{k: sums[k] for k in SUM_COLUMNS}}
            )
    frame = pd.DataFrame(rows, columns=["date", "platform", *SUM_COLUMNS])
    return add_derived_metrics(frame, _rate_or_read(session, scope, rate))[
        DAILY_COLUMNS
    ]


def campaign_deployments(
    session: Session,
    scope: Scope,
    campaign_id: int,
    rng: DateRange,
    rate: Decimal | None = None,
) -> pd.DataFrame:
    """Each platform deployment with its metrics for the range. Columns: DEPLOYMENT_COLUMNS."""
    d = PlatformDeployment.__table__
    sums = (
        sa.select(pm.c.platform_deployment_id, *_sums())
        .where(*_in_campaign(scope, campaign_id, rng))
        .group_by(pm.c.platform_deployment_id)
        .subquery()
    )
    stmt = (
        sa.select(
            d.c.id.label("deployment_id"),
            d.c.platform,
            d.c.status,
            AdCopy.variant_label,
            d.c.external_id,
            *[sa.func.coalesce(sums.c[k], 0).label(k) for k in SUM_COLUMNS],
        )
        .select_from(
            d.outerjoin(sums, sums.c.platform_deployment_id == d.c.id).outerjoin(
                AdCopy, AdCopy.id == d.c.ad_copy_id
            )
        )
        .where(
            d.c.campaign_id == campaign_id, d.c.organization_id == scope.organization_id
        )
        .order_by(d.c.platform, d.c.id)
    )
    frame = pd.DataFrame(
        [r._asdict() for r in session.execute(stmt)],
        columns=[
            "deployment_id",
            "platform",
            "status",
            "variant_label",
            "external_id",
            *SUM_COLUMNS,
        ],
    )
    return add_derived_metrics(frame, _rate_or_read(session, scope, rate))[
        DEPLOYMENT_COLUMNS
    ]


def variant_comparison(
    session: Session,
    scope: Scope,
    campaign_id: int,
    rng: DateRange,
    rate: Decimal | None = None,
) -> pd.DataFrame:
    """Ad-copy variants side by side: metrics, 95 % Wilson intervals of CTR and CVR, and a verdict.

    The first variant (by label) is the control; each other variant's CVR is tested against it with a
    two-proportion z-test. Columns: VARIANT_COLUMNS.
    """
    sums = (
        sa.select(PlatformDeployment.ad_copy_id, *_sums())
        .select_from(
            pm.join(
                PlatformDeployment.__table__,
                PlatformDeployment.id == pm.c.platform_deployment_id,
            )
        )
        .where(*_in_campaign(scope, campaign_id, rng))
        .group_by(PlatformDeployment.ad_copy_id)
        .subquery()
    )
    stmt = (
        sa.select(
            AdCopy.id.label("ad_copy_id"),
            AdCopy.variant_label,
            AdCopy.headline,
            *[sa.func.coalesce(sums.c[k], 0).label(k) for k in SUM_COLUMNS],
        )
        .outerjoin(sums, sums.c.ad_copy_id == AdCopy.id)
        .where(
            AdCopy.campaign_id == campaign_id,
            AdCopy.organization_id == scope.organization_id,
        )
        .order_by(AdCopy.variant_label, AdCopy.id)
    )
    frame = pd.DataFrame(
        [r._asdict() for r in session.execute(stmt)],
        columns=["ad_copy_id", "variant_label", "headline", *SUM_COLUMNS],
    )
    frame = add_derived_metrics(frame, _rate_or_read(session, scope, rate))
    ctr = [
        wilson_interval(c, i) or (np.nan, np.nan)
        for c, i in zip(frame["clicks"], frame["impressions"])
    ]
    cvr = [
        wilson_interval(v, c) or (np.nan, np.nan)
        for v, c in zip(frame["conversions"], frame["clicks"])
    ]
    frame["ctr_low"], frame["ctr_high"] = [x[0] for x in ctr], [x[1] for x in ctr]
    frame["cvr_low"], frame["cvr_high"] = [x[0] for x in cvr], [x[1] for x in cvr]
    p_values, verdicts = [], []
    for index, row in frame.iterrows():
        if index == frame.index[0]:
            p_values.append(np.nan)
            verdicts.append("control")
            continue
        control = frame.iloc[0]
        p = two_proportion_p_value(
            int(row["conversions"]),
            int(row["clicks"]),
            int(control["conversions"]),
            int(control["clicks"]),
        )
        p_values.append(np.nan if p is None else p)
        verdicts.append(_verdict(p, row["cvr"], control["cvr"]))
    frame["cvr_p_value"] = np.array(p_values, dtype="float64")
    frame["verdict"] = verdicts
    return frame[VARIANT_COLUMNS]


def _verdict(p_value: float | None, cvr: float, control_cvr: float) -> str:
    if p_value is None:
        return "not enough data"
    if p_value >= SIGNIFICANCE:
        return "no significant difference"
    return "better than control" if cvr > control_cvr else "worse than control"


def campaign_creatives(
    session: Session, scope: Scope, campaign_id: int
) -> dict[str, pd.DataFrame]:
    """Image prompts, video prompts and user assets of the campaign, newest first."""
    org = scope.organization_id
    images = session.execute(
        sa.select(
            ImagePrompt.id,
            ImagePrompt.prompt,
            ImagePrompt.style,
            ImagePrompt.created_at,
        )
        .where(
            ImagePrompt.campaign_id == campaign_id, ImagePrompt.organization_id == org
        )
        .order_by(ImagePrompt.created_at.desc())
    )
    videos = session.execute(
        sa.select(
            VideoPrompt.id,
            VideoPrompt.prompt,
            VideoPrompt.duration_seconds,
            VideoPrompt.created_at,
        )
        .where(
            VideoPrompt.campaign_id == campaign_id, VideoPrompt.organization_id == org
        )
        .order_by(VideoPrompt.created_at.desc())
    )
    assets = session.execute(
        sa.select(
            UserAsset.id,
            UserAsset.kind,
            UserAsset.filename,
            UserAsset.content_type,
            UserAsset.size_bytes,
            UserAsset.sha256,
            UserAsset.created_at,
        )
        .where(UserAsset.campaign_id == campaign_id, UserAsset.organization_id == org)
        .order_by(UserAsset.created_at.desc())
    )
    return {
        "image_prompts": pd.DataFrame(
            images.mappings().all(), columns=["id", "prompt", "style", "created_at"]
        ),
        "video_prompts": pd.DataFrame(
            videos.mappings().all(),
            columns=["id", "prompt", "duration_seconds", "created_at"],
        ),
        "user_assets": pd.DataFrame(
            assets.mappings().all(),
            columns=[
                "id",
                "kind",
                "filename",
                "content_type",
                "size_bytes",
                "sha256",
                "created_at",
            ],
        ),
    }


def latest_ltv(
    session: Session, scope: Scope, campaign_id: int | None = None
) -> pd.DataFrame:
    """The newest LTV prediction per campaign (or for one campaign). Columns: LTV_COLUMNS."""
    newest = (
        sa.select(
            LtvPrediction.campaign_id,
            sa.func.max(LtvPrediction.predicted_at).label("at"),
        )
        .where(LtvPrediction.organization_id == scope.organization_id)
        .group_by(LtvPrediction.campaign_id)
        .subquery()
    )
    stmt = (
        sa.select(
            LtvPrediction.campaign_id,
            CampaignDeployment.name.label("campaign_name"),
            LtvPrediction.cohort_size,
            LtvPrediction.predicted_ltv,
            LtvPrediction.acquisition_cost,
            LtvPrediction.payback_days,
            LtvPrediction.confidence,
            LtvPrediction.model_version,
            LtvPrediction.predicted_at,
        )
        .join(
            newest,
            sa.and_(
                newest.c.campaign_id == LtvPrediction.campaign_id,
                newest.c.at == LtvPrediction.predicted_at,
            ),
        )
        .join(CampaignDeployment, CampaignDeployment.id == LtvPrediction.campaign_id)
        .where(LtvPrediction.organization_id == scope.organization_id)
        .order_by(CampaignDeployment.name, LtvPrediction.id)
    )
    if campaign_id is not None:
        stmt = stmt.where(LtvPrediction.campaign_id == campaign_id)
    return pd.DataFrame(
        [r._asdict() for r in session.execute(stmt)], columns=LTV_COLUMNS
    )


def campaign_totals(
    session: Session,
    scope: Scope,
    deployments: pd.DataFrame,
    rate: Decimal | None = None,
) -> pd.DataFrame:
    """One row of METRIC_COLUMNS: a campaign_deployments frame summed, ratios of the sums."""
    sums = {name: deployments[name].sum() for name in SUM_COLUMNS}
    frame = add_derived_metrics(
        pd.DataFrame([sums]), _rate_or_read(session, scope, rate)
    )
    return frame[METRIC_COLUMNS]
