"""The overview's reads: KPIs, the revenue trend, platforms and top campaigns, as DataFrames.

Every function takes the caller's ``Scope`` and filters only by its organization. Money columns
hold exact ``Decimal`` values; ratio columns are float64 with NaN for "no value".

The statements are built once per shape, with the organization, the dates and the platforms as
bound parameters given at execution: SQLAlchemy then reuses the statement's cache key and
compiled SQL instead of rebuilding both on every read (about a third of a cold overview's Python
time went there). The campaign list is in data/reads/campaign_list.py, the shared pieces in
data/reads/queries.py.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.cache import cached_read
from data.filters import DateRange
from data.metric_definitions import (
    METRIC_COLUMNS,
    SUMMED_COLUMNS,
    metrics_frame,
    zero_sums,
)
from data.models import PLATFORMS, DailyRevenueSummary
from data.reads.queries import (
    bound_params,
    campaigns,
    fee_rate,
    fee_rate_column,
    metric_filter,
    pm,
    rate_or_default,
    row_columns,
    runs_on,
    sum_columns,
    summed,
)
from data.scope import Scope

# The overview's sums come from the rollup (data/ops/rollups.py), one row per org, day, platform.
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


def _grouped_with_rate(
    session: Session, scope: Scope, stmt, params: dict
) -> tuple[list, Decimal]:
    """Rows of a grouped ``stmt`` that ends with the fee rate as a column, and that rate."""
    rows = session.execute(stmt, params).all()
    return rows, (
        rate_or_default(rows[0].fee_rate) if rows else fee_rate(session, scope)
    )


def _campaign_count_columns(filtered: bool) -> list:
    """(all campaigns, active campaigns) of the organization (on the platforms), as columns."""
    counted = sa.select(sa.func.count()).where(
        campaigns.c.organization_id == sa.bindparam("organization_id")
    )
    if filtered:
        counted = counted.where(runs_on())
    active = counted.where(campaigns.c.status == "active")
    return [
        counted.scalar_subquery().label("campaigns_total"),
        active.scalar_subquery().label("campaigns_active"),
    ]


@cached_read(in_whole_answers=False)
def kpi_summary(
    session: Session, scope: Scope, rng: DateRange, platforms: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Two rows, ``period`` = "current" and "previous" (the equal-length period just before).

    Columns: KPI_COLUMNS (campaign counts are the organization's current state in both rows).
    """
    previous = rng.previous()
    params = {
        **bound_params(scope, DateRange(previous.start, rng.end), platforms),
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
    for name in SUMMED_COLUMNS:
        rows[name] = [found[f"{period}_{name}"] for period, _ in parts]
    return metrics_frame(rows, rate_or_default(found["fee_rate"]), KPI_COLUMNS)


@functools.cache
def _kpi_statement(filtered: bool):
    """One statement, one row: both periods' sums, the campaign counts and the fee rate."""
    current_start = sa.bindparam("current_start")
    periods = {
        "current": summary.c.date >= current_start,
        "previous": summary.c.date < current_start,
    }
    sums = [
        sa.func.coalesce(
            sa.func.sum(sa.case((inside, summed(summary, name)))), 0
        ).label(f"{period}_{name}")
        for period, inside in periods.items()
        for name in SUMMED_COLUMNS
    ]
    return sa.select(
        *sums, *_campaign_count_columns(filtered), fee_rate_column()
    ).where(*metric_filter(filtered, summary))


@cached_read(in_whole_answers=False)
def revenue_trend(
    session: Session,
    scope: Scope,
    rng: DateRange,
    granularity: str = "day",
    platforms: tuple[str, ...] = (),
) -> pd.DataFrame:
    """One row per day (or per Monday-start week, clipped to the range) of the range, zero-filled.

    Columns: TREND_COLUMNS; ``bucket`` is the first day of the bucket (a ``datetime.date``): a
    Monday, or the range's first day when it starts mid-week (a partial week, marked so on the
    chart).
    """
    found, rate = _grouped_with_rate(
        session,
        scope,
        _summary_statement("date", bool(platforms)),
        bound_params(scope, rng, platforms),
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
            for k in SUMMED_COLUMNS:
                sums[k] += by_day[day][k]
    rows = {"bucket": list(buckets)}
    for k in SUMMED_COLUMNS:
        rows[k] = [sums[k] for sums in buckets.values()]
    return metrics_frame(rows, rate, TREND_COLUMNS)


@cached_read(in_whole_answers=False)
def platform_breakdown(
    session: Session, scope: Scope, rng: DateRange, platforms: tuple[str, ...] = ()
) -> pd.DataFrame:
    """One row per platform (all three, or the filtered ones), zero-filled. Columns: PLATFORM_COLUMNS."""
    found, rate = _grouped_with_rate(
        session,
        scope,
        _summary_statement("platform", bool(platforms)),
        bound_params(scope, rng, platforms),
    )
    by_platform = {row.platform: row._mapping for row in found}
    chosen = list(platforms or PLATFORMS)
    zero = zero_sums()
    rows = {"platform": chosen}
    for k in SUMMED_COLUMNS:
        rows[k] = [(by_platform.get(p) or zero)[k] for p in chosen]
    return metrics_frame(rows, rate, PLATFORM_COLUMNS)


@functools.cache
def _summary_statement(by: str, filtered: bool):
    """The rollup's sums per ``by`` (date or platform) over the range, with the fee rate."""
    return (
        sa.select(summary.c[by], *sum_columns(summary), fee_rate_column())
        .where(*metric_filter(filtered, summary))
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
        bound_params(scope, rng, platforms),
    )
    names = ["campaign_id", "name", *SUMMED_COLUMNS]
    rows = row_columns(found, names)
    return metrics_frame(rows, rate, TOP_CAMPAIGN_COLUMNS)


@functools.cache
def _top_campaigns_statement(filtered: bool, limit: int):
    ranked = (
        sa.select(pm.c.campaign_id, sa.func.sum(pm.c.revenue).label("revenue"))
        .where(*metric_filter(filtered))
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
        chosen = chosen.where(runs_on())
    chosen = (
        chosen.order_by(ranked.c.revenue.desc(), campaigns.c.id.desc())
        .limit(limit)
        .subquery()
    )
    return (
        sa.select(
            chosen.c.id.label("campaign_id"),
            chosen.c.name,
            *sum_columns(),
            fee_rate_column(),
        )
        .join(pm, pm.c.campaign_id == chosen.c.id)
        .where(*metric_filter(filtered))
        .group_by(chosen.c.id, chosen.c.name, chosen.c.rank)
        .order_by(chosen.c.rank.desc(), chosen.c.id.desc())
    )
