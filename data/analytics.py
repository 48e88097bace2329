"""Read side of the analytics pages: aggregates in SQL, returned as DataFrames with fixed columns.

Every function takes the caller's ``Scope`` and filters only by its organization. Money columns
hold exact ``Decimal`` values; ratio columns are float64 with NaN for "no value".

The overview's statements are built once per shape, with the organization, the dates and the
platforms as bound parameters given at execution: SQLAlchemy then reuses the statement's cache
key and compiled SQL instead of rebuilding both on every read (about a third of a cold overview's
Python time went there).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.cache import cached_read
from data.filters import CampaignFilters, DateRange
from data.metrics import (
    METRIC_COLUMNS,
    SUM_COLUMNS,
    metrics_frame,
    zero_sums,
)
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
TOP_CAMPAIGN_COLUMNS = ["campaign_id", "name", *METRIC_COLUMNS]
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
    return _rate(
        session.scalar(_fee_rate_query(), {"organization_id": scope.organization_id})
    )


def row_columns(rows, names: list[str]) -> dict[str, list]:
    """Result rows as column name -> list of values (what metrics_frame takes)."""
    return {name: [row._mapping[name] for row in rows] for name in names}


def _rate(value) -> Decimal:
    return Decimal(value if value is not None else "0.20")


@functools.cache
def _fee_rate_query():
    return sa.select(Organization.fee_rate).where(
        Organization.id == sa.bindparam("organization_id")
    )


def _fee_rate_column():
    # Read in the same statement as the sums it applies to: one round trip, not two.
    return _fee_rate_query().scalar_subquery().label("fee_rate")


def _params(scope: Scope, rng: DateRange, platforms: tuple[str, ...] = ()) -> dict:
    """Values of the bound parameters that _metric_filter and _fee_rate_column put in."""
    return {
        "organization_id": scope.organization_id,
        "start": rng.start,
        "end": rng.end,
        "platforms": list(platforms),
    }


def _grouped_with_rate(
    session: Session, scope: Scope, stmt, params: dict
) -> tuple[list, Decimal]:
    """Rows of a grouped ``stmt`` that ends with the fee rate as a column, and that rate."""
    rows = session.execute(stmt, params).all()
    return rows, (_rate(rows[0].fee_rate) if rows else fee_rate(session, scope))


def _sum_columns(table=pm) -> list:
    return [
        sa.func.coalesce(sa.func.sum(table.c[name]), 0).label(name)
        for name in SUM_COLUMNS
    ]


def _metric_filter(filtered: bool, table=pm) -> list:
    """The organization, the range and (when ``filtered``) the platforms, as bound parameters
    (values from _params)."""
    conditions = [
        table.c.organization_id == sa.bindparam("organization_id"),
        table.c.date.between(sa.bindparam("start"), sa.bindparam("end")),
    ]
    if filtered:
        conditions.append(
            table.c.platform.in_(sa.bindparam("platforms", expanding=True))
        )
    return conditions


def _campaign_count_columns(filtered: bool) -> list:
    """(all campaigns, active campaigns) of the organization (on the platforms), as columns."""
    counted = sa.select(sa.func.count()).where(
        campaigns.c.organization_id == sa.bindparam("organization_id")
    )
    if filtered:
        counted = counted.where(_runs_on())
    active = counted.where(campaigns.c.status == "active")
    return [
        counted.scalar_subquery().label("campaigns_total"),
        active.scalar_subquery().label("campaigns_active"),
    ]


def _runs_on():
    return sa.exists().where(
        deployments.c.campaign_id == campaigns.c.id,
        deployments.c.platform.in_(sa.bindparam("platforms", expanding=True)),
    )


@cached_read
def kpi_summary(
    session: Session, scope: Scope, rng: DateRange, platforms: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Two rows, ``period`` = "current" and "previous" (the equal-length period just before).

    Columns: KPI_COLUMNS (campaign counts are the organization's current state in both rows).
    """
    previous = rng.previous()
    params = {
        **_params(scope, DateRange(previous.start, rng.end), platforms),
        "current_start": rng.start,
    }
    found = session.execute(_kpi_statement(bool(platforms)), params).one()._asdict()
    parts = [("current", rng), ("previous", previous)]
    rows = {
        "period": [name for name, _ in parts],
        "start": [part.start for _, part in parts],
        "end": [part.end for _, part in parts],
        "campaigns_total": [int(found["campaigns_total"])] * 2,
        "campaigns_active": [int(found["campaigns_active"])] * 2,
    }
    for name in SUM_COLUMNS:
        rows[name] = [found[f"{period}_{name}"] for period, _ in parts]
    return metrics_frame(rows, _rate(found["fee_rate"]), KPI_COLUMNS)


@functools.cache
def _kpi_statement(filtered: bool):
    """One statement, one row: both periods' sums, the campaign counts and the fee rate."""
    current_start = sa.bindparam("current_start")
    periods = {
        "current": summary.c.date >= current_start,
        "previous": summary.c.date < current_start,
    }
    sums = [
        sa.func.coalesce(sa.func.sum(sa.case((inside, summary.c[name]))), 0).label(
            f"{period}_{name}"
        )
        for period, inside in periods.items()
        for name in SUM_COLUMNS
    ]
    return sa.select(
        *sums, *_campaign_count_columns(filtered), _fee_rate_column()
    ).where(*_metric_filter(filtered, summary))


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
    found, rate = _grouped_with_rate(
        session,
        scope,
        _summary_statement("date", bool(platforms)),
        _params(scope, rng, platforms),
    )
    by_day = {row.date: row._mapping for row in found}
    buckets: dict[dt.date, dict] = {}  # in date order
    for offset in range(rng.days):
        day = rng.start + dt.timedelta(days=offset)
        bucket = (
            day
            if granularity == "day"
            else max(day - dt.timedelta(days=day.weekday()), rng.start)
        )
        sums = buckets.setdefault(bucket, zero_sums())
        if day in by_day:
            for k in SUM_COLUMNS:
                sums[k] += by_day[day][k]
    rows = {"bucket": list(buckets)}
    for k in SUM_COLUMNS:
        rows[k] = [sums[k] for sums in buckets.values()]
    return metrics_frame(rows, rate, TREND_COLUMNS)


@cached_read
def platform_breakdown(
    session: Session, scope: Scope, rng: DateRange, platforms: tuple[str, ...] = ()
) -> pd.DataFrame:
    """One row per platform (all three, or the filtered ones), zero-filled. Columns: PLATFORM_COLUMNS."""
    found, rate = _grouped_with_rate(
        session,
        scope,
        _summary_statement("platform", bool(platforms)),
        _params(scope, rng, platforms),
    )
    by_platform = {row.platform: row._mapping for row in found}
    chosen = list(platforms or PLATFORMS)
    zero = zero_sums()
    rows = {"platform": chosen}
    for k in SUM_COLUMNS:
        rows[k] = [(by_platform.get(p) or zero)[k] for p in chosen]
    return metrics_frame(rows, rate, PLATFORM_COLUMNS)


@functools.cache
def _summary_statement(by: str, filtered: bool):
    """The rollup's sums per ``by`` (date or platform) over the range, with the fee rate."""
    return (
        sa.select(summary.c[by], *_sum_columns(summary), _fee_rate_column())
        .where(*_metric_filter(filtered, summary))
        .group_by(summary.c[by])
    )


@cached_read
def top_campaigns(
    session: Session,
    scope: Scope,
    rng: DateRange,
    platforms: tuple[str, ...] = (),
    limit: int = 5,
) -> pd.DataFrame:
    """The ``limit`` campaigns with the most revenue over the range (ties: the newer first),
    among those with any spend or revenue in it. Columns: TOP_CAMPAIGN_COLUMNS.

    Same order and sums as campaign_list sorted by revenue; cheaper: every campaign is ranked
    on two sums, and only the chosen ones are summed in full (through the campaign index).
    """
    found, rate = _grouped_with_rate(
        session,
        scope,
        _top_campaigns_statement(bool(platforms), limit),
        _params(scope, rng, platforms),
    )
    names = ["campaign_id", "name", *SUM_COLUMNS]
    rows = row_columns(found, names)
    return metrics_frame(rows, rate, TOP_CAMPAIGN_COLUMNS)


@functools.cache
def _top_campaigns_statement(filtered: bool, limit: int):
    ranked = (
        sa.select(pm.c.campaign_id, sa.func.sum(pm.c.revenue).label("revenue"))
        .where(*_metric_filter(filtered))
        .group_by(pm.c.campaign_id)
        .having(sa.or_(sa.func.sum(pm.c.spend) != 0, sa.func.sum(pm.c.revenue) != 0))
        .subquery()
    )
    chosen = (
        sa.select(campaigns.c.id, campaigns.c.name, ranked.c.revenue.label("rank"))
        .join(ranked, ranked.c.campaign_id == campaigns.c.id)
        .where(campaigns.c.organization_id == sa.bindparam("organization_id"))
    )
    if filtered:
        chosen = chosen.where(_runs_on())
    chosen = (
        chosen.order_by(ranked.c.revenue.desc(), campaigns.c.id.desc())
        .limit(limit)
        .subquery()
    )
    return (
        sa.select(
            chosen.c.id.label("campaign_id"),
            chosen.c.name,
            *_sum_columns(),
            _fee_rate_column(),
        )
        .join(pm, pm.c.campaign_id == chosen.c.id)
        .where(*_metric_filter(filtered))
        .group_by(chosen.c.id, chosen.c.name, chosen.c.rank)
        .order_by(chosen.c.rank.desc(), chosen.c.id.desc())
    )


@functools.lru_cache(maxsize=64)
def _campaign_statement(filters: CampaignFilters):
    """SELECT of campaigns with their sums for the range, filtered and sorted (not paged).

    Kept per filter set (the organization and dates are bound at execution): paging through a
    list, or the same filters for another range, reuses the statement and its compiled SQL."""
    sums = (
        sa.select(pm.c.campaign_id, *_sum_columns())
        .where(*_metric_filter(bool(filters.platforms)))
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
        .where(campaigns.c.organization_id == sa.bindparam("organization_id"))
    )
    if filters.search:
        stmt = stmt.where(campaigns.c.name.icontains(filters.search, autoescape=True))
    if filters.statuses:
        stmt = stmt.where(campaigns.c.status.in_(filters.statuses))
    if filters.platforms:
        stmt = stmt.where(_runs_on())
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


def _campaign_frame(session: Session, rows: list, rate: Decimal) -> pd.DataFrame:
    names = ["campaign_id", "name", "status", "budget_daily", *SUM_COLUMNS]
    columns = row_columns(rows, names)
    ids = [int(i) for i in columns["campaign_id"]]
    platforms = _platforms_of(session, ids)
    columns["platforms"] = [platforms.get(i, "") for i in ids]
    columns["budget_daily"] = [Decimal(v) for v in columns["budget_daily"]]
    frame = metrics_frame(columns, rate)
    return frame[CAMPAIGN_COLUMNS]


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
    stmt = _campaign_statement(filters)
    params = _params(scope, rng, filters.platforms)
    total = session.scalar(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()), params
    )
    page_stmt = stmt.limit(page_size).offset(max(page, 0) * page_size)
    rows = session.execute(page_stmt, params).all()
    return _campaign_frame(session, rows, fee_rate(session, scope)), int(total or 0)


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
        _campaign_statement(filters).execution_options(yield_per=chunk_size),
        _params(scope, rng, filters.platforms),
    )
    for rows in result.partitions():
        yield _campaign_frame(session, rows, rate)
