"""Predicted lifetime value: the newest prediction per campaign of the caller's organization."""

from __future__ import annotations

import functools

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.models import LtvPrediction
from data.reads.queries import campaigns, row_columns
from data.scope import Scope

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
