"""Reads for one campaign: its record, daily trend per platform, deployments, A/B variants, creatives, LTV.

Every function is scoped: a campaign of another organization reads as empty (as if it did not exist).
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.filters import DateRange
from data.metric_definitions import (
    METRIC_COLUMNS,
    SUM_COLUMNS,
    metrics_frame,
    zero_sums,
)
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
from data.reads.queries import fee_rate, row_columns
from data.reads.stats import two_proportion_p_value, wilson_interval
from data.scope import Scope

pm = PerformanceMetric.__table__
campaigns = CampaignDeployment.__table__
deployments = PlatformDeployment.__table__

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


def _params(scope: Scope, campaign_id: int, rng: DateRange | None = None) -> dict:
    """Values of the bound parameters the statements below are built with."""
    params = {"organization_id": scope.organization_id, "campaign_id": campaign_id}
    if rng is not None:
        params.update(start=rng.start, end=rng.end)
    return params


def _sums() -> list:
    return [
        sa.func.coalesce(sa.func.sum(pm.c[name]), 0).label(name) for name in SUM_COLUMNS
    ]


def _owned(table) -> list:
    """The campaign (bound ``campaign_id``) and the caller's organization, on ``table``."""
    return [
        table.c.campaign_id == sa.bindparam("campaign_id"),
        table.c.organization_id == sa.bindparam("organization_id"),
    ]


def _in_campaign() -> list:
    """The campaign's metric rows in the range (bound ``start`` and ``end``)."""
    return [*_owned(pm), pm.c.date.between(sa.bindparam("start"), sa.bindparam("end"))]


def _sums_by(key, source):
    """A subquery of the campaign's sums over the range per ``key``, read from ``source``."""
    return (
        sa.select(key, *_sums())
        .select_from(source)
        .where(*_in_campaign())
        .group_by(key)
        .subquery()
    )


def campaign_info(session: Session, scope: Scope, campaign_id: int) -> pd.DataFrame:
    """One row (or none when the campaign is not the caller's). Columns: CAMPAIGN_INFO_COLUMNS."""
    rows = session.execute(_info_statement(), _params(scope, campaign_id)).all()
    return pd.DataFrame(row_columns(rows, CAMPAIGN_INFO_COLUMNS))


# Each statement is built once, with the organization, the campaign and the dates bound at
# execution: SQLAlchemy then reuses its cache key and compiled SQL (building them on every call
# was about a third of a cold campaign page's Python time, as it was on the overview).
@functools.cache
def _info_statement():
    c = campaigns
    return sa.select(
        c.c.id.label("campaign_id"),
        c.c.name,
        c.c.status,
        c.c.objective,
        c.c.budget_daily,
        c.c.start_date,
        c.c.end_date,
        c.c.created_at,
    ).where(
        c.c.id == sa.bindparam("campaign_id"),
        c.c.organization_id == sa.bindparam("organization_id"),
    )


def campaign_daily(
    session: Session,
    scope: Scope,
    campaign_id: int,
    rng: DateRange,
    rate: Decimal | None = None,
) -> pd.DataFrame:
    """One row per day of the range per platform the campaign runs on, zero-filled. Columns: DAILY_COLUMNS."""
    params = _params(scope, campaign_id, rng)
    found = {
        (row.date, row.platform): row._mapping
        for row in session.execute(_daily_statement(), params)
    }
    platforms = sorted(session.scalars(_platforms_statement(), params).all())
    days = [rng.start + dt.timedelta(days=offset) for offset in range(rng.days)]
    keys = [(day, platform) for day in days for platform in platforms]
    zero = zero_sums()
    rows = {"date": [day for day, _ in keys], "platform": [p for _, p in keys]}
    for name in SUM_COLUMNS:
        rows[name] = [(found.get(key) or zero)[name] for key in keys]
    return metrics_frame(rows, _rate_or_read(session, scope, rate), DAILY_COLUMNS)


@functools.cache
def _daily_statement():
    return (
        sa.select(pm.c.date, pm.c.platform, *_sums())
        .where(*_in_campaign())
        .group_by(pm.c.date, pm.c.platform)
    )


@functools.cache
def _platforms_statement():
    return sa.select(deployments.c.platform).distinct().where(*_owned(deployments))


def campaign_deployments(
    session: Session,
    scope: Scope,
    campaign_id: int,
    rng: DateRange,
    rate: Decimal | None = None,
) -> pd.DataFrame:
    """Each platform deployment with its metrics for the range. Columns: DEPLOYMENT_COLUMNS."""
    rows = session.execute(
        _deployments_statement(), _params(scope, campaign_id, rng)
    ).all()
    return metrics_frame(
        row_columns(rows, DEPLOYMENT_COLUMNS[:5] + SUM_COLUMNS),
        _rate_or_read(session, scope, rate),
        DEPLOYMENT_COLUMNS,
    )


@functools.cache
def _deployments_statement():
    d = deployments
    sums = _sums_by(pm.c.platform_deployment_id, pm)
    return (
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
        .where(*_owned(d))
        .order_by(d.c.platform, d.c.id)
    )


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
    rows = session.execute(
        _variants_statement(), _params(scope, campaign_id, rng)
    ).all()
    frame = metrics_frame(
        row_columns(rows, ["ad_copy_id", "variant_label", "headline", *SUM_COLUMNS]),
        _rate_or_read(session, scope, rate),
        VARIANT_COLUMNS[: 3 + len(METRIC_COLUMNS)],
    )
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


@functools.cache
def _variants_statement():
    copies = AdCopy.__table__
    sums = _sums_by(
        deployments.c.ad_copy_id,
        pm.join(deployments, deployments.c.id == pm.c.platform_deployment_id),
    )
    return (
        sa.select(
            copies.c.id.label("ad_copy_id"),
            copies.c.variant_label,
            copies.c.headline,
            *[sa.func.coalesce(sums.c[k], 0).label(k) for k in SUM_COLUMNS],
        )
        .select_from(copies.outerjoin(sums, sums.c.ad_copy_id == copies.c.id))
        .where(*_owned(copies))
        .order_by(copies.c.variant_label, copies.c.id)
    )


def _verdict(p_value: float | None, cvr: float, control_cvr: float) -> str:
    if p_value is None:
        return "not enough data"
    if p_value >= SIGNIFICANCE:
        return "no significant difference"
    return "better than control" if cvr > control_cvr else "worse than control"


CREATIVE_COLUMNS = {
    "image_prompts": ["id", "prompt", "style", "created_at"],
    "video_prompts": ["id", "prompt", "duration_seconds", "created_at"],
    "user_assets": [
        "id",
        "kind",
        "filename",
        "content_type",
        "size_bytes",
        "sha256",
        "created_at",
    ],
}


def campaign_creatives(
    session: Session, scope: Scope, campaign_id: int
) -> dict[str, pd.DataFrame]:
    """Image prompts, video prompts and user assets of the campaign, newest first."""
    params = _params(scope, campaign_id)
    return {
        kind: pd.DataFrame(
            row_columns(
                session.execute(_creatives_statement(kind), params).all(), names
            )
        )
        for kind, names in CREATIVE_COLUMNS.items()
    }


@functools.cache
def _creatives_statement(kind: str):
    model = {
        "image_prompts": ImagePrompt,
        "video_prompts": VideoPrompt,
        "user_assets": UserAsset,
    }[kind]
    table = model.__table__
    return (
        sa.select(*[table.c[name] for name in CREATIVE_COLUMNS[kind]])
        .where(*_owned(table))
        .order_by(table.c.created_at.desc())
    )


def latest_ltv(
    session: Session, scope: Scope, campaign_id: int | None = None
) -> pd.DataFrame:
    """The newest LTV prediction per campaign (or for one campaign). Columns: LTV_COLUMNS."""
    params = {"organization_id": scope.organization_id, "campaign_id": campaign_id}
    rows = session.execute(_ltv_statement(campaign_id is not None), params).all()
    return pd.DataFrame(row_columns(rows, LTV_COLUMNS))


@functools.cache
def _ltv_statement(one_campaign: bool):
    ltv = LtvPrediction.__table__
    org = sa.bindparam("organization_id")
    newest = (
        sa.select(ltv.c.campaign_id, sa.func.max(ltv.c.predicted_at).label("at"))
        .where(ltv.c.organization_id == org)
        .group_by(ltv.c.campaign_id)
        .subquery()
    )
    stmt = (
        sa.select(
            ltv.c.campaign_id,
            campaigns.c.name.label("campaign_name"),
            ltv.c.cohort_size,
            ltv.c.predicted_ltv,
            ltv.c.acquisition_cost,
            ltv.c.payback_days,
            ltv.c.confidence,
            ltv.c.model_version,
            ltv.c.predicted_at,
        )
        .join(
            newest,
            sa.and_(
                newest.c.campaign_id == ltv.c.campaign_id,
                newest.c.at == ltv.c.predicted_at,
            ),
        )
        .join(campaigns, campaigns.c.id == ltv.c.campaign_id)
        .where(ltv.c.organization_id == org)
        .order_by(campaigns.c.name, ltv.c.id)
    )
    if one_campaign:
        stmt = stmt.where(ltv.c.campaign_id == sa.bindparam("campaign_id"))
    return stmt


def campaign_totals(
    session: Session,
    scope: Scope,
    deployments_frame: pd.DataFrame,
    rate: Decimal | None = None,
) -> pd.DataFrame:
    """One row of METRIC_COLUMNS: a campaign_deployments frame summed, ratios of the sums."""
    sums = {name: [deployments_frame[name].sum()] for name in SUM_COLUMNS}
    return metrics_frame(sums, _rate_or_read(session, scope, rate), METRIC_COLUMNS)
