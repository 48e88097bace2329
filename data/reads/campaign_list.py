"""The campaign list: campaigns with their sums for a range, filtered, sorted and paged in SQL.

Every function takes the caller's ``Scope`` and filters only by its organization. Columns:
CAMPAIGN_COLUMNS (money as ``Decimal``, ratios float64 with NaN for "no value").
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.cache import cached_read
from data.filters import CampaignFilters, DateRange
from data.metric_definitions import METRIC_COLUMNS, SUMMED_COLUMNS, metrics_frame
from data.models import PLATFORMS
from data.reads.queries import (
    bound_params,
    campaigns,
    deployments,
    fee_rate,
    fee_rate_column,
    metric_filter,
    pm,
    rate_or_default,
    row_columns,
    runs_on,
    sum_columns,
)
from data.scope import Scope

CAMPAIGN_COLUMNS = [
    "campaign_id",
    "name",
    "status",
    "platforms",
    "budget_daily",
    *METRIC_COLUMNS,
]


@functools.lru_cache(maxsize=64)
def _campaign_statement(filters: CampaignFilters):
    """SELECT of campaigns with their sums for the range, filtered and sorted (not paged).

    Kept per filter set (the organization and dates are bound at execution): paging through a
    list, or the same filters for another range, reuses the statement and its compiled SQL."""
    sums = (
        sa.select(pm.c.campaign_id, *sum_columns())
        .where(*metric_filter(bool(filters.platforms)))
        .group_by(pm.c.campaign_id)
        .subquery()
    )
    value = {name: sa.func.coalesce(sums.c[name], 0) for name in SUMMED_COLUMNS}
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
        .where(
            campaigns.c.organization_id == sa.bindparam("organization_id"),
            campaigns.c.deleted_at.is_(
                None
            ),  # deleted drafts (data/writes/campaigns.py)
        )
    )
    if filters.search:
        stmt = stmt.where(campaigns.c.name.icontains(filters.search, autoescape=True))
    if filters.statuses:
        stmt = stmt.where(campaigns.c.status.in_(filters.statuses))
    if filters.platforms:
        stmt = stmt.where(runs_on())
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
    return {cid: _platform_label(names) for cid, names in found.items()}


def _platform_label(names) -> str:
    """The platforms a campaign runs on, in PLATFORMS order: "meta, google"."""
    return ", ".join(p for p in PLATFORMS if p in names)


def _campaign_frame(
    rows: list, rate: Decimal, platforms: dict[int, str]
) -> pd.DataFrame:
    names = ["campaign_id", "name", "status", "budget_daily", *SUMMED_COLUMNS]
    columns = row_columns(rows, names)
    ids = [int(i) for i in columns["campaign_id"]]
    columns["platforms"] = [platforms.get(i, "") for i in ids]
    columns["budget_daily"] = [Decimal(v) for v in columns["budget_daily"]]
    frame = metrics_frame(columns, rate)
    return frame[CAMPAIGN_COLUMNS]


@functools.lru_cache(maxsize=64)
def _page_statement(filters: CampaignFilters):
    """One page of the list, in one statement: its rows, the count of every matching row (a
    window over the filtered list, which is counted before LIMIT applies), each row's platforms
    and the fee rate. These were four statements, four round trips (count, page, platforms, fee
    rate). PostgreSQL evaluates the platforms subquery after the LIMIT, for the page's rows only
    (an expensive output column is postponed past the sort when there is a LIMIT)."""
    platforms = (
        sa.select(sa.func.aggregate_strings(deployments.c.platform, ","))
        .where(deployments.c.campaign_id == campaigns.c.id)
        .scalar_subquery()
    )
    return (
        _campaign_statement(filters)
        .add_columns(
            sa.func.count().over().label("total"),
            platforms.label("platform_names"),
            fee_rate_column(),
        )
        .limit(sa.bindparam("limit"))
        .offset(sa.bindparam("offset"))
    )


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
    params = bound_params(scope, rng, filters.platforms)
    params |= {"limit": page_size, "offset": max(page, 0) * page_size}
    rows = session.execute(_page_statement(filters), params).all()
    if rows:
        total, rate = rows[0].total, rate_or_default(rows[0].fee_rate)
    else:  # an empty page: the count (past the last page, it is not 0) and the rate apart
        stmt = _campaign_statement(filters).order_by(None).subquery()
        total = session.scalar(sa.select(sa.func.count()).select_from(stmt), params)
        rate = fee_rate(session, scope)
    platforms = {
        int(row.campaign_id): _platform_label((row.platform_names or "").split(","))
        for row in rows
    }
    return _campaign_frame(rows, rate, platforms), int(total or 0)


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
        bound_params(scope, rng, filters.platforms),
    )
    for rows in result.partitions():
        ids = [int(row.campaign_id) for row in rows]
        yield _campaign_frame(rows, rate, _platforms_of(session, ids))
