"""The approval queue, a request's worst-case spend per platform, and the month's spend against the cap.

Not cached: an approver must see the queue as it is now. Overspend rules and sources are in
docs/CAMPAIGNS.md.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from data.campaign_rules import settings_of
from data.errors import Invalid
from data.models import (
    PLATFORMS,
    REQUEST_STATUSES,
    BudgetRequest,
    CampaignDeployment,
    DailyRevenueSummary,
    User,
)
from data.scope import Scope
from data.writes.approvals import load_request

QUEUE_COLUMNS = [
    "request_id", "campaign_id", "campaign_name", "platforms", "budget_type",
    "requested_amount", "approved_amount", "currency", "status", "auto_approved",
    "requested_by_id", "requested_by", "requested_at", "decided_by", "decided_at",
    "decision_reason", "version",
]  # fmt: skip
WORST_CASE_COLUMNS = [
    "platform",
    "budget_type",
    "amount",
    "worst_day",
    "worst_month",
    "rule",
]
MONTH_COLUMNS = [
    "month_start",
    "spend_to_date",
    "monthly_spend_cap",
    "cap_remaining",
    "currency",
]
MAX_ROWS = 500
# platform -> (daily factor, monthly factor for a daily budget, rule as shown to the approver)
OVERSPEND = {
    "google": (Decimal(2), Decimal("30.4"), "Google: up to 2x daily on a day, 30.4x a month"),
    "meta": (Decimal("1.75"), Decimal("33.25"),
             "Meta: up to +75 % on a day, 7x daily a week (28 + 3 x 1.75 days a month)"),
    "tiktok": (Decimal("1.25"), Decimal("38.75"),
               "TikTok: no documented rule; assumed +25 % on a day, every day of a month"),
}  # fmt: skip


def approval_queue(
    session: Session,
    scope: Scope,
    *,
    status: str | None = None,
    requester_id: int | None = None,
    platform: str | None = None,
    min_amount: Decimal | None = None,
    max_amount: Decimal | None = None,
) -> pd.DataFrame:
    """Budget requests, pending first and oldest first; admins see all, analysts their own.

    Columns QUEUE_COLUMNS; amounts Decimal in the request's currency, times UTC, platforms a
    comma-separated text, requested_by/decided_by user names (None once erased).
    """
    scope.require("analyst")
    if status is not None and status not in REQUEST_STATUSES:
        raise Invalid(f"Choose a status from {', '.join(REQUEST_STATUSES)}.")
    if platform is not None and platform not in PLATFORMS:
        raise Invalid(f"Choose a platform from {', '.join(PLATFORMS)}.")
    requester, decider = aliased(User), aliased(User)
    query = (
        sa.select(
            BudgetRequest.id,
            BudgetRequest.campaign_id,
            CampaignDeployment.name,
            CampaignDeployment.platforms,
            BudgetRequest.budget_type,
            BudgetRequest.requested_amount,
            BudgetRequest.approved_amount,
            BudgetRequest.currency,
            BudgetRequest.status,
            BudgetRequest.auto_approved,
            BudgetRequest.requested_by_id,
            requester.name,
            BudgetRequest.requested_at,
            decider.name,
            BudgetRequest.decided_at,
            BudgetRequest.decision_reason,
            BudgetRequest.version,
        )
        .join(CampaignDeployment, CampaignDeployment.id == BudgetRequest.campaign_id)
        .outerjoin(requester, requester.id == BudgetRequest.requested_by_id)
        .outerjoin(decider, decider.id == BudgetRequest.decided_by_id)
        .where(
            BudgetRequest.organization_id == scope.organization_id,
            CampaignDeployment.deleted_at.is_(None),
        )
    )
    if not scope.allows("admin"):
        query = query.where(BudgetRequest.requested_by_id == scope.user_id)
    if status:
        query = query.where(BudgetRequest.status == status)
    if requester_id is not None:
        query = query.where(BudgetRequest.requested_by_id == int(requester_id))
    if platform:
        query = query.where(CampaignDeployment.platforms.contains(platform))
    if min_amount is not None:
        query = query.where(BudgetRequest.requested_amount >= Decimal(min_amount))
    if max_amount is not None:
        query = query.where(BudgetRequest.requested_amount <= Decimal(max_amount))
    query = query.order_by(
        sa.case((BudgetRequest.status == "pending", 0), else_=1),
        BudgetRequest.requested_at,
        BudgetRequest.id,
    ).limit(MAX_ROWS)
    return pd.DataFrame(session.execute(query).all(), columns=QUEUE_COLUMNS)


def pending_count(session: Session, scope: Scope) -> int:
    """How many requests wait for a decision (the navbar badge); 0 for non-admins."""
    if not scope.allows("admin"):
        return 0
    return int(
        session.scalar(
            sa.select(sa.func.count())
            .select_from(BudgetRequest)
            .where(
                BudgetRequest.organization_id == scope.organization_id,
                BudgetRequest.status == "pending",
            )
        )
        or 0
    )


def worst_case_spend(session: Session, scope: Scope, request_id) -> pd.DataFrame:
    """Per platform of the request's campaign: the most it may spend on one day and in one month.

    Columns WORST_CASE_COLUMNS; amount is the approved (else requested) amount; a lifetime budget
    is its own worst case. Analyst or admin of the organization.
    """
    scope.require("analyst")
    request = load_request(session, scope.organization_id, request_id)
    platforms = session.scalar(
        sa.select(CampaignDeployment.platforms).where(
            CampaignDeployment.id == request.campaign_id
        )
    )
    amount = request.approved_amount or request.requested_amount
    rows = []
    for platform in [p for p in (platforms or "").split(",") if p]:
        day, month, rule = OVERSPEND[platform]
        if request.budget_type == "lifetime":
            rows.append((platform, "lifetime", amount, amount, amount, "lifetime cap"))
        else:
            rows.append((platform, "daily", amount, amount * day, amount * month, rule))
    return pd.DataFrame(rows, columns=WORST_CASE_COLUMNS)


def month_spend(session: Session, scope: Scope, today: dt.date) -> pd.DataFrame:
    """One row: the organization's spend from the 1st of ``today``'s month to ``today`` (from the
    daily rollup), its monthly spending cap (None = no cap) and what remains of it.

    Columns MONTH_COLUMNS.
    """
    scope.require("analyst")
    start = today.replace(day=1)
    spent = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(DailyRevenueSummary.spend), 0)).where(
            DailyRevenueSummary.organization_id == scope.organization_id,
            DailyRevenueSummary.date >= start,
            DailyRevenueSummary.date <= today,
        )
    )
    spent = Decimal(spent or 0).quantize(Decimal("0.01"))
    settings = settings_of(session, scope.organization_id)
    cap = settings.monthly_spend_cap
    remaining = None if cap is None else cap - spent
    return pd.DataFrame(
        [(start, spent, cap, remaining, settings.currency)], columns=MONTH_COLUMNS
    )
