"""The sums an alert rule is judged on (data/alerts/conditions.py), read for its target: the
whole organization, one platform or one campaign, always within the scope's organization."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.models import (
    CampaignDeployment,
    OrganizationSettings,
    PerformanceMetric,
    PlatformDeployment,
)
from data.scope import Scope

SUMS_COLUMNS = ["period", "spend", "revenue", "conversions"]
BUDGET_COLUMNS = [
    "campaign_id", "budget_type", "amount", "start_date", "end_date",
    "spend_today", "spend_to_date",
]  # fmt: skip
UTC = ZoneInfo("UTC")


def organization_zone(session: Session, organization_id: int) -> ZoneInfo:
    """The time zone whose calendar days the organization's rules count in: its settings'
    ``time_zone`` (an IANA name; UTC when it has no settings row, or a name this machine's
    zone database does not know)."""
    name = session.scalar(
        sa.select(OrganizationSettings.time_zone).where(
            OrganizationSettings.organization_id == organization_id
        )
    )
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def campaign_exists(session: Session, scope: Scope, campaign_id: int | None) -> bool:
    """Whether the campaign is the organization's and not deleted."""
    c = CampaignDeployment
    return (
        campaign_id is not None
        and session.scalar(
            sa.select(c.id).where(
                c.id == campaign_id,
                c.organization_id == scope.organization_id,
                c.deleted_at.is_(None),
            )
        )
        is not None
    )


def _money(value) -> Decimal:
    return Decimal(0) if value is None else Decimal(str(value))


def _target_filter(
    pm, scope: Scope, target: str, platform: str | None, campaign_id: int | None
):
    clauses = [pm.organization_id == scope.organization_id]
    if target == "platform":
        clauses.append(pm.platform == platform)
    elif target == "campaign":
        clauses.append(pm.campaign_id == campaign_id)
    return clauses


def rule_sums(
    session: Session,
    scope: Scope,
    *,
    target: str,
    platform: str | None,
    campaign_id: int | None,
    periods: dict[str, tuple[dt.date, dt.date]],
) -> pd.DataFrame:
    """Spend, revenue and conversions of the target over each named period (first and last
    day inclusive). Columns SUMS_COLUMNS, one row per period in ``periods``' order; spend and
    revenue exact Decimal money (0.00 for a period without rows), conversions an int."""
    pm = PerformanceMetric
    where = _target_filter(pm, scope, target, platform, campaign_id)
    records = []
    for name, (first, last) in periods.items():
        row = session.execute(
            sa.select(
                sa.func.sum(pm.spend),
                sa.func.sum(pm.revenue),
                sa.func.sum(pm.conversions),
            ).where(*where, pm.date >= first, pm.date <= last)
        ).one()
        records.append((name, _money(row[0]), _money(row[1]), int(row[2] or 0)))
    return pd.DataFrame(records, columns=SUMS_COLUMNS)


def pacing_budgets(
    session: Session,
    scope: Scope,
    *,
    target: str,
    platform: str | None,
    campaign_id: int | None,
    today: dt.date,
) -> pd.DataFrame:
    """The budgets that pace the target, with their spend: a campaign target's own campaign;
    an organization's (a platform's) active, not deleted campaigns (that run on the platform,
    counting only the platform's spend). Columns BUDGET_COLUMNS: amount the daily or lifetime
    budget (Decimal), spend_today the organization's ``today``, spend_to_date from the start
    date (or the first row) through ``today``."""
    c, pm = CampaignDeployment, PerformanceMetric
    joined = [pm.campaign_id == c.id, pm.date <= today]
    joined += _target_filter(pm, scope, target, platform, campaign_id)
    campaigns = [c.organization_id == scope.organization_id, c.deleted_at.is_(None)]
    if target == "campaign":
        campaigns.append(c.id == campaign_id)
    else:
        campaigns.append(c.status == "active")
    if target == "platform":
        campaigns.append(
            sa.exists().where(
                PlatformDeployment.campaign_id == c.id,
                PlatformDeployment.platform == platform,
            )
        )
    since_start = sa.or_(c.start_date.is_(None), pm.date >= c.start_date)
    rows = session.execute(
        sa.select(
            c.id, c.budget_type, c.budget_amount, c.start_date, c.end_date,
            sa.func.sum(sa.case((pm.date == today, pm.spend))),
            sa.func.sum(sa.case((since_start, pm.spend))),
        )
        .select_from(c)
        .outerjoin(pm, sa.and_(*joined))
        .where(*campaigns)
        .group_by(c.id, c.budget_type, c.budget_amount, c.start_date, c.end_date)
        .order_by(c.id)
    ).all()  # fmt: skip
    records = [
        (r[0], r[1], _money(r[2]), r[3], r[4], _money(r[5]), _money(r[6])) for r in rows
    ]
    return pd.DataFrame(records, columns=BUDGET_COLUMNS)
