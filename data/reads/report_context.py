"""What a report's first page names besides its numbers: the organization and how fresh its data is."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.models import Organization, PerformanceMetric
from data.scope import Scope

REPORT_CONTEXT_COLUMNS = ["organization_name", "latest_metrics_date"]


def report_context(session: Session, scope: Scope) -> pd.DataFrame:
    """One row: the caller's organization's name and the date of its newest daily metric row
    (``None`` when it has none yet), scoped to ``scope.organization_id``."""
    latest = (
        sa.select(sa.func.max(PerformanceMetric.date))
        .where(PerformanceMetric.organization_id == scope.organization_id)
        .scalar_subquery()
    )
    row = session.execute(
        sa.select(Organization.name, latest).where(
            Organization.id == scope.organization_id
        )
    ).one()
    return pd.DataFrame([list(row)], columns=REPORT_CONTEXT_COLUMNS)
