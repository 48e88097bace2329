"""A campaign as the lifecycle writes it: its editable fields, ad-copy variants and latest budget request.

What the API answers after each lifecycle step, and what an edit starts from. Not cached: the
writer must see what it just wrote. A campaign of another organization, or a deleted one, reads
as empty.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.models import AdCopy, BudgetRequest, CampaignDeployment
from data.scope import Scope

RECORD_COLUMNS = [
    "campaign_id", "name", "status", "objective", "platforms", "budget_type",
    "budget_amount", "budget_daily", "currency", "start_date", "end_date", "version",
    "created_by_id", "created_at", "updated_at",
]  # fmt: skip
COPY_COLUMNS = ["variant_label", "headline", "body", "call_to_action"]
REQUEST_COLUMNS = [
    "request_id", "status", "requested_amount", "approved_amount", "auto_approved",
    "requested_by_id", "requested_at", "decided_by_id", "decided_at", "decision_reason",
    "version",
]  # fmt: skip


def campaign_record(session: Session, scope: Scope, campaign_id: int) -> pd.DataFrame:
    """One row (none when the campaign is not the caller's or is deleted). Columns
    RECORD_COLUMNS; amounts Decimal in ``currency``, platforms comma-separated text, times UTC."""
    c = CampaignDeployment
    rows = session.execute(
        sa.select(
            c.id, c.name, c.status, c.objective, c.platforms, c.budget_type,
            c.budget_amount, c.budget_daily, c.currency, c.start_date, c.end_date,
            c.version, c.created_by_id, c.created_at, c.updated_at,
        ).where(
            c.id == int(campaign_id),
            c.organization_id == scope.organization_id,
            c.deleted_at.is_(None),
        )
    ).all()  # fmt: skip
    return pd.DataFrame(rows, columns=RECORD_COLUMNS)


def campaign_copies(session: Session, scope: Scope, campaign_id: int) -> pd.DataFrame:
    """The campaign's ad-copy variants in label order (A, B, ...). Columns COPY_COLUMNS."""
    rows = session.execute(
        sa.select(
            AdCopy.variant_label, AdCopy.headline, AdCopy.body, AdCopy.call_to_action
        )
        .where(
            AdCopy.campaign_id == int(campaign_id),
            AdCopy.organization_id == scope.organization_id,
        )
        .order_by(AdCopy.variant_label, AdCopy.id)
    ).all()
    return pd.DataFrame(rows, columns=COPY_COLUMNS)


def latest_request(session: Session, scope: Scope, campaign_id: int) -> pd.DataFrame:
    """The campaign's newest budget request, one row or none. Columns REQUEST_COLUMNS;
    amounts Decimal, times UTC."""
    r = BudgetRequest
    rows = session.execute(
        sa.select(
            r.id, r.status, r.requested_amount, r.approved_amount, r.auto_approved,
            r.requested_by_id, r.requested_at, r.decided_by_id, r.decided_at,
            r.decision_reason, r.version,
        )
        .where(
            r.campaign_id == int(campaign_id),
            r.organization_id == scope.organization_id,
        )
        .order_by(r.id.desc())
        .limit(1)
    ).all()  # fmt: skip
    return pd.DataFrame(rows, columns=REQUEST_COLUMNS)
