"""Reads for one campaign: its record, daily trend per platform, deployments and totals.

A/B variants, creatives and LTV have modules of their own (ab_variants, creatives, ltv).

Every function is scoped: a campaign of another organization reads as empty (as if it did not exist).
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.filters import DateRange
from data.metric_definitions import (
    METRIC_COLUMNS,
    SUMMED_COLUMNS,
    metrics_frame,
    zero_sums,
)
from data.models import (
    AdCopy,
    CampaignDeployment,
    PerformanceMetric,
    PlatformDeployment,
)
from data.reads.campaign_statements import (
    campaign_params,
    campaign_sums,
    campaign_sums_by,
    in_campaign,
    owned_by_campaign,
    rate_or_read,
)
from data.reads.queries import row_columns
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


def campaign_info(session: Session, scope: Scope, campaign_id: int) -> pd.DataFrame:
    """One row (or none when the campaign is not the caller's). Columns: CAMPAIGN_INFO_COLUMNS."""
    rows = session.execute(_info_statement(), campaign_params(scope, campaign_id)).all()
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
        c.c.deleted_at.is_(None),
    )


def campaign_daily(
    session: Session,
    scope: Scope,
    campaign_id: int,
    rng: DateRange,
    rate: Decimal | None = None,
) -> pd.DataFrame:
    """One row per day of the range per platform the campaign runs on, zero-filled. Columns: DAILY_COLUMNS."""
    params = campaign_params(scope, campaign_id, rng)
    found = {
        (row.date, row.platform): row._mapping
        for row in session.execute(_daily_statement(), params)
    }
    platforms = sorted(session.scalars(_platforms_statement(), params).all())
    days = [rng.start + dt.timedelta(days=offset) for offset in range(rng.days)]
    keys = [(day, platform) for day in days for platform in platforms]
    zero = zero_sums()
    rows = {"date": [day for day, _ in keys], "platform": [p for _, p in keys]}
    for name in SUMMED_COLUMNS:
        rows[name] = [(found.get(key) or zero)[name] for key in keys]
    return metrics_frame(rows, rate_or_read(session, scope, rate), DAILY_COLUMNS)


@functools.cache
def _daily_statement():
    return (
        sa.select(pm.c.date, pm.c.platform, *campaign_sums())
        .where(*in_campaign())
        .group_by(pm.c.date, pm.c.platform)
    )


@functools.cache
def _platforms_statement():
    return (
        sa.select(deployments.c.platform)
        .distinct()
        .where(*owned_by_campaign(deployments))
    )


def campaign_deployments(
    session: Session,
    scope: Scope,
    campaign_id: int,
    rng: DateRange,
    rate: Decimal | None = None,
) -> pd.DataFrame:
    """Each platform deployment with its metrics for the range. Columns: DEPLOYMENT_COLUMNS."""
    rows = session.execute(
        _deployments_statement(), campaign_params(scope, campaign_id, rng)
    ).all()
    return metrics_frame(
        row_columns(rows, DEPLOYMENT_COLUMNS[:5] + SUMMED_COLUMNS),
        rate_or_read(session, scope, rate),
        DEPLOYMENT_COLUMNS,
    )


@functools.cache
def _deployments_statement():
    d = deployments
    sums = campaign_sums_by(pm.c.platform_deployment_id, pm)
    return (
        sa.select(
            d.c.id.label("deployment_id"),
            d.c.platform,
            d.c.status,
            AdCopy.variant_label,
            d.c.external_id,
            *[sa.func.coalesce(sums.c[k], 0).label(k) for k in SUMMED_COLUMNS],
        )
        .select_from(
            d.outerjoin(sums, sums.c.platform_deployment_id == d.c.id).outerjoin(
                AdCopy, AdCopy.id == d.c.ad_copy_id
            )
        )
        .where(*owned_by_campaign(d))
        .order_by(d.c.platform, d.c.id)
    )


def campaign_totals(
    session: Session,
    scope: Scope,
    deployments_frame: pd.DataFrame,
    rate: Decimal | None = None,
) -> pd.DataFrame:
    """One row of METRIC_COLUMNS: a campaign_deployments frame summed, ratios of the sums."""
    sums = {name: [deployments_frame[name].sum()] for name in SUMMED_COLUMNS}
    return metrics_frame(sums, rate_or_read(session, scope, rate), METRIC_COLUMNS)
