"""Building blocks of the one-campaign statements: bound parameters, ownership and sums over a range."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.filters import DateRange
from data.reads.queries import fee_rate, pm, sum_columns
from data.scope import Scope


def rate_or_read(session: Session, scope: Scope, rate: Decimal | None) -> Decimal:
    """The fee rate the caller already read (a page needs it four times), else read it."""
    return fee_rate(session, scope) if rate is None else rate


def campaign_params(
    scope: Scope, campaign_id: int, rng: DateRange | None = None
) -> dict:
    """Values of the bound parameters the statements below are built with."""
    params = {"organization_id": scope.organization_id, "campaign_id": campaign_id}
    if rng is not None:
        params.update(start=rng.start, end=rng.end)
    return params


def campaign_sums() -> list:
    return sum_columns(pm)


def owned_by_campaign(table) -> list:
    """The campaign (bound ``campaign_id``) and the caller's organization, on ``table``."""
    return [
        table.c.campaign_id == sa.bindparam("campaign_id"),
        table.c.organization_id == sa.bindparam("organization_id"),
    ]


def in_campaign() -> list:
    """The campaign's metric rows in the range (bound ``start`` and ``end``)."""
    return [
        *owned_by_campaign(pm),
        pm.c.date.between(sa.bindparam("start"), sa.bindparam("end")),
    ]


def campaign_sums_by(key, source):
    """A subquery of the campaign's sums over the range per ``key``, read from ``source``."""
    return (
        sa.select(key, *campaign_sums())
        .select_from(source)
        .where(*in_campaign())
        .group_by(key)
        .subquery()
    )
