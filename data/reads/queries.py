"""Building blocks shared by the read statements: tables, bound filters, sums and the fee rate.

Statements are built once per shape with the organization, the dates and the platforms as bound
parameters (values from ``bound_params``), so SQLAlchemy reuses their cache keys and compiled SQL.
"""

from __future__ import annotations

import functools
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.filters import DateRange
from data.metric_definitions import SUMMED_COLUMNS
from data.models import (
    CampaignDeployment,
    FeeRate,
    Organization,
    PerformanceMetric,
    PlatformDeployment,
)
from data.scope import Scope

pm = PerformanceMetric.__table__
campaigns = CampaignDeployment.__table__
deployments = PlatformDeployment.__table__
fee_rates = FeeRate.__table__
organizations = Organization.__table__
# Wide enough for a sum of revenue x rate; SQLite sums floats, which this rounds back.
FeeSum = sa.Numeric(20, 6)


def fee_rate(session: Session, scope: Scope) -> Decimal:
    """The caller's organization's performance-fee rate."""
    return rate_or_default(
        session.scalar(_fee_rate_query(), {"organization_id": scope.organization_id})
    )


def row_columns(rows, names: list[str]) -> dict[str, list]:
    """Result rows as column name -> list of values (what metrics_frame takes)."""
    return {name: [row._mapping[name] for row in rows] for name in names}


def rate_or_default(value) -> Decimal:
    return Decimal(value if value is not None else "0.20")


@functools.cache
def _fee_rate_query():
    return sa.select(Organization.fee_rate).where(
        Organization.id == sa.bindparam("organization_id")
    )


def fee_rate_column():
    # Read in the same statement as the sums it applies to: one round trip, not two.
    return _fee_rate_query().scalar_subquery().label("fee_rate")


def bound_params(scope: Scope, rng: DateRange, platforms: tuple[str, ...] = ()) -> dict:
    """Values of the bound parameters that metric_filter and fee_rate_column put in."""
    return {
        "organization_id": scope.organization_id,
        "start": rng.start,
        "end": rng.end,
        "platforms": list(platforms),
    }


def fee_rate_on(table):
    """The rate in effect on each row's day for its organization: the latest fee_rates row from
    that day or before; the organization's rate when it has no history (before migration 0003's
    first row or in fixtures that write organizations alone)."""
    history = (
        sa.select(fee_rates.c.rate)
        .where(
            fee_rates.c.organization_id == table.c.organization_id,
            fee_rates.c.effective_from <= table.c.date,
        )
        .order_by(fee_rates.c.effective_from.desc())
        .limit(1)
        .correlate(table)
        .scalar_subquery()
    )
    current = (
        sa.select(organizations.c.fee_rate)
        .where(organizations.c.id == table.c.organization_id)
        .correlate(table)
        .scalar_subquery()
    )
    return sa.func.coalesce(history, current, Decimal("0.20"))


def summed(table, name: str):
    """What a SUMMED_COLUMNS column sums per row: the column, or for ``fee`` revenue times the
    rate of the row's day."""
    if name == "fee":
        return sa.type_coerce(table.c.revenue * fee_rate_on(table), FeeSum)
    return table.c[name]


def sum_columns(table=pm) -> list:
    """Sums of SUMMED_COLUMNS (the base metrics and the fee) over ``table``'s rows."""
    return [
        sa.func.coalesce(sa.func.sum(summed(table, name)), 0).label(name)
        for name in SUMMED_COLUMNS
    ]


def metric_filter(filtered: bool, table=pm) -> list:
    """The organization, the range and (when ``filtered``) the platforms, as bound parameters
    (values from bound_params)."""
    conditions = [
        table.c.organization_id == sa.bindparam("organization_id"),
        table.c.date.between(sa.bindparam("start"), sa.bindparam("end")),
    ]
    if filtered:
        conditions.append(
            table.c.platform.in_(sa.bindparam("platforms", expanding=True))
        )
    return conditions


def runs_on():
    return sa.exists().where(
        deployments.c.campaign_id == campaigns.c.id,
        deployments.c.platform.in_(sa.bindparam("platforms", expanding=True)),
    )
