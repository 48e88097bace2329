"""Read side of the analytics pages: aggregates in SQL, returned as DataFrames with fixed columns.

Every function takes the caller's ``Scope`` and filters only by its organization. Money columns
hold exact ``Decimal`` values; ratio columns are float64 with NaN for "no value".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.cache import cached_read
from data.filters import CampaignFilters, DateRange
from data.metrics import METRIC_COLUMNS, SUM_COLUMNS, add_derived_metrics, zero_sums
from data.models import (
    PLATFORMS,
    CampaignDeployment,
    DailyRevenueSummary,
    Organization,
    PerformanceMetric,
    PlatformDeployment,
)
from data.scope import Scope

pm = PerformanceMetric.__table__
campaigns = CampaignDeployment.__table__
deployments = PlatformDeployment.__table__
# The overview's sums come from the rollup (data/rollups.py), one row per org, day, platform.
summary = DailyRevenueSummary.__table__

KPI_COLUMNS = [
    "period",
    "start",
    "end",
    "campaigns_total",
    "campaigns_active",
    *METRIC_COLUMNS,
]
TREND_COLUMNS = ["bucket", *METRIC_COLUMNS]
PLATFORM_COLUMNS = ["platform", *METRIC_COLUMNS]
CAMPAIGN_COLUMNS = [
    "campaign_id",
    "name",
    "status",
    "platforms",
    "budget_daily",
    *METRIC_COLUMNS,
]


def fee_rate(session: Session, scope: Scope) -> Decimal:
    """The caller's organization's performance-fee rate."""
    rate = session.scalar(
        sa.select(Organization.fee_rate).where(Organization.id == scope.organization_id)
    )
    return Decimal(rate if rate is not None else "0.20")


def _sum_columns(table=pm) -> list:
    return [
        sa.func.coalesce(sa.func.sum(table.c[name]), 0).label(name)
        for name in SUM_COLUMNS
    ]


def _metric_filter(
    scope: Scope, rng: DateRange, platforms: tuple[str, ...], table=pm
) -> list:
    conditions = [
        table.c.organization_id == scope.organization_id,
        table.c.date.between(rng.start, rng.end),
    ]
    if platforms:
        conditions.append(table.c.platform.in_(platforms))
    return conditions


def _finish(
    rows: pd.DataFrame, session: Session, scope: Scope, columns: list[str]
) -> pd.DataFrame:
    return add_derived_metrics(rows, fee_rate(session, scope))[columns]


def campaign_counts(
    session: Session, scope: Scope, platforms: tuple[str, ...] = ()
) -> tuple[int, int]:
    """(all campaigns, active campaigns) of the organization, limited to those on ``platforms``."""
    stmt = sa.select(
        sa.func.count(),
        sa.func.coalesce(
            sa.func.sum(sa.case((campaigns.c.status == "active", 1), else_=0)), 0
        ),
    ).where(campaigns.c.organization_id == scope.organization_id)
    if platforms:
        stmt = stmt.where(_runs_on(platforms))
    total, active = session.execute(stmt).one()
    return int(total), int(active)


def _runs_on(platforms: tuple[str, ...]):
    return sa.exists().where(
        deployments.c.campaign_id == campaigns.c.id,
        deployments.c.platform.in_(platforms),
    )


@cached_read
def kpi_summary(
    session: Session, scope: Scope, rng: DateRange, platforms: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Two rows, ``period`` = "current" and "previous" (the equal-length period just before).

    Columns: KPI_COLUMNS (campaign counts are the organization's current state in both rows).
    """
    previous = rng.previous()
    period = sa.case((summary.c.date >= rng.start, "current"), else_="previous").label(
        "period"
    )
    both = DateRange(previous.start, rng.end)
    stmt = (
        sa.select(period, *_sum_columns(summary))
        .where(*_metric_filter(scope, both, platforms, summary))
        .group_by(period)
    )
    found = {row.period: row._asdict() for row in session.execute(stmt)}
    total, active = campaign_counts(session, scope, platforms)
    rows = []
    for name, part in (("current", rng), ("previous", previous)):
        sums = found.get(name) or zero_sums()
        rows.append(
            {
                **zero_sums(),
                **{k: sums[k] for k in SUM_COLUMNS},
                "period": name,
                "start": part.start,
                "end": part.end,
                "campaigns_total": total,
                "campaigns_active": active,
            }
        )
    return _finish(pd.DataFrame(rows), session, scope, KPI_COLUMNS)


@cached_read
def revenue_trend(
    session: Session,
    scope: Scope,
    rng: DateRange,
    granularity: str = "day",
    platforms: tuple[str, ...] = (),
) -> pd.DataFrame:
    """One row per day (or per Monday-start week, clipped to the range) of the range, zero-filled.

    Columns: TREND_COLUMNS; ``bucket`` is the first day of the bucket (a ``datetime.date``).
    """
    stmt = (
        sa.select(summary.c.date, *_sum_columns(summary))
        .where(*_metric_filter(scope, rng, platforms, summary))
        .group_by(summary.c.date)
    )
    by_day = {row.date: row._asdict() for row in session.execute(stmt)}
    rows = []
    for offset in range(rng.days):
        day = rng.start + dt.timedelta(days=offset)
        sums = by_day.get(day) or zero_sums()
        bucket = (
            day
            if granularity == "day"
            else max(day - dt.timedelta(days=day.weekday()), rng.start)
        )
        rows.append({"bucket": bucket, **{k: sums[k] for k in SUM_COLUMNS}})
    frame = pd.DataFrame(rows, columns=["bucket", *SUM_COLUMNS])
    if granularity == "week":
        frame = frame.groupby("bucket", sort=True, as_index=False).agg(
            {k: "sum" for k in SUM_COLUMNS}
        )
    return _finish(frame, session, scope, TREND_COLUMNS)


@cached_read
def platform_breakdown(
    session: Session, scope: Scope, rng: DateRange, platforms: tuple[str, ...] = ()
) -> pd.DataFrame:
    """One row per platform (all three, or the filtered ones), zero-filled. Columns: PLATFORM_COLUMNS."""
    stmt = (
        sa.select(summary.c.platform, *_sum_columns(summary))
        .where(*_metric_filter(scope, rng, platforms, summary))
        .group_by(summary.c.platform)
    )
    found = {row.platform: row._asdict() for row in session.execute(stmt)}
    rows = [
        {"platform": p, **{k: (found.get(p) or zero_sums())[k] for k in SUM_COLUMNS}}
        for p in (platforms or PLATFORMS)
    ]
    return _finish(pd.DataFrame(rows), session, scope, PLATFORM_COLUMNS)


def _campaign_statement(scope: Scope, rng: DateRange, filters: CampaignFilters):
    """SELECT of campaigns with their sums for the range, filtered and sorted (not paged)."""
    sums = (
        sa.select(pm.c.campaign_id, *_sum_columns())
        .where(*_metric_filter(scope, rng, filters.platforms))
        .group_by(pm.c.campaign_id)
        .subquery()
    )
    value = {name: sa.func.coalesce(sums.c[name], 0) for name in SUM_COLUMNS}
    spend, revenue = value["spend"], value["revenue"]

    def per(num, den, factor=1.0):
        return sa.case(
            (den == 0, None),
            else_=factor * sa.cast(num, sa.Float) / sa.cast(den, sa.Float),
        )

    sort_expressions = {
        "name": campaigns.c.name,
        "status": campaigns.c.status,
        "budget_daily": campaigns.c.budget_daily,
        **value,
        "profit": revenue - spend,
        "fee": revenue,
        "roas": per(revenue, spend),
        "roi": per(revenue - spend, spend),
        "cpa": per(spend, value["conversions"]),
        "cpc": per(spend, value["clicks"]),
        "cpm": per(spend, value["impressions"], 1000.0),
        "ctr": per(value["clicks"], value["impressions"]),
        "cvr": per(value["conversions"], value["clicks"]),
    }
    stmt = (
        sa.select(
            campaigns.c.id.label("campaign_id"),
            campaigns.c.name,
            campaigns.c.status,
            campaigns.c.budget_daily,
            *[expr.label(name) for name, expr in value.items()],
        )
        .select_from(campaigns.outerjoin(sums, sums.c.campaign_id == campaigns.c.id))
        .where(campaigns.c.organization_id == scope.organization_id)
    )
    if filters.search:
        stmt = stmt.where(campaigns.c.name.icontains(filters.search, autoescape=True))
    if filters.statuses:
        stmt = stmt.where(campaigns.c.status.in_(filters.statuses))
    if filters.platforms:
        stmt = stmt.where(_runs_on(filters.platforms))
    if filters.min_spend is not None:
        stmt = stmt.where(spend >= filters.min_spend)
    if filters.roas_min is not None:
        stmt = stmt.where(sort_expressions["roas"] >= filters.roas_min)
    if filters.roas_max is not None:
        stmt = stmt.where(sort_expressions["roas"] <= filters.roas_max)
    key = sort_expressions[filters.sort_by]
    key = key.desc() if filters.descending else key.asc()
    tie = campaigns.c.id.desc() if filters.descending else campaigns.c.id.asc()
    return stmt.order_by(key.nulls_last(), tie)


def _platforms_of(session: Session, campaign_ids: list[int]) -> dict[int, str]:
    if not campaign_ids:
        return {}
    stmt = (
        sa.select(deployments.c.campaign_id, deployments.c.platform)
        .where(deployments.c.campaign_id.in_(campaign_ids))
        .distinct()
    )
    found: dict[int, set[str]] = {}
    for campaign_id, platform in session.execute(stmt):
        found.setdefault(campaign_id, set()).add(platform)
    return {
        cid: ", ".join(p for p in PLATFORMS if p in names)
        for cid, names in found.items()
    }


def _campaign_frame(
    session: Session, scope: Scope, rows: list, rate: Decimal
) -> pd.DataFrame:
    frame = pd.DataFrame(
        [row._asdict() for row in rows],
        columns=["campaign_id", "name", "status", "budget_daily", *SUM_COLUMNS],
    )
    names = _platforms_of(session, [int(i) for i in frame["campaign_id"]])
    frame["platforms"] = [names.get(int(i), "") for i in frame["campaign_id"]]
    frame["budget_daily"] = [Decimal(v) for v in frame["budget_daily"]]
    return add_derived_metrics(frame, rate)[CAMPAIGN_COLUMNS]


@cached_read
def campaign_list(
    session: Session,
    scope: Scope,
    rng: DateRange,
    filters: CampaignFilters,
    page: int = 0,
    page_size: int = 25,
) -> tuple[pd.DataFrame, int]:
    """One page of campaigns with their metrics for the range, and the count of all matching rows.

    Filtering, sorting and paging happen in SQL. Columns: CAMPAIGN_COLUMNS.
    """
    stmt = _campaign_statement(scope, rng, filters)
    total = session.scalar(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    )
    rows = session.execute(stmt.limit(page_size).offset(max(page, 0) * page_size)).all()
    return _campaign_frame(session, scope, rows, fee_rate(session, scope)), int(
        total or 0
    )


def iter_campaign_list(
    session: Session,
    scope: Scope,
    rng: DateRange,
    filters: CampaignFilters,
    chunk_size: int = 5000,
) -> Iterator[pd.DataFrame]:
    """Every matching campaign, in the list's order, as frames of at most ``chunk_size`` rows."""
    rate = fee_rate(session, scope)
    result = session.execute(
        _campaign_statement(scope, rng, filters).execution_options(yield_per=chunk_size)
    )
    for rows in result.partitions():
        yield _campaign_frame(session, scope, rows, rate)
