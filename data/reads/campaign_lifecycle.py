"""A campaign as its form edits it, and its budget requests (the detail page's lifecycle card)."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from data.lifecycle import load_campaign
from data.models import AdCopy, BudgetRequest, ImagePrompt, User, VideoPrompt
from data.scope import Scope

REQUEST_COLUMNS = [
    "request_id", "status", "budget_type", "requested_amount", "approved_amount",
    "currency", "auto_approved", "requested_by", "requested_at", "decided_by",
    "decided_at", "decision_reason",
]  # fmt: skip


def campaign_draft(session: Session, scope: Scope, campaign_id) -> dict:
    """The campaign's editable fields as a form shows them (texts, ISO dates, the amount with two
    decimals, variants and prompts in order), with its status, version and author id.

    NotFound when it is not a (non-deleted) campaign of the caller's organization.
    """
    campaign = load_campaign(session, scope.organization_id, campaign_id)
    variants = session.execute(
        sa.select(AdCopy.headline, AdCopy.body, AdCopy.call_to_action)
        .where(AdCopy.campaign_id == campaign.id)
        .order_by(AdCopy.variant_label, AdCopy.id)
    ).all()

    def prompts(model) -> list[str]:
        return list(
            session.scalars(
                sa.select(model.prompt)
                .where(model.campaign_id == campaign.id)
                .order_by(model.id)
            )
        )

    return {
        "campaign_id": campaign.id,
        "name": campaign.name,
        "objective": campaign.objective or "",
        "platforms": [p for p in (campaign.platforms or "").split(",") if p],
        "budget_type": campaign.budget_type,
        "budget_amount": (
            "" if campaign.budget_amount is None else f"{campaign.budget_amount:.2f}"
        ),
        "start_date": campaign.start_date.isoformat() if campaign.start_date else "",
        "end_date": campaign.end_date.isoformat() if campaign.end_date else "",
        "variants": [
            {"headline": h, "body": b, "call_to_action": c or ""}
            for h, b, c in variants
        ],
        "image_prompts": prompts(ImagePrompt),
        "video_prompts": prompts(VideoPrompt),
        "status": campaign.status,
        "version": campaign.version,
        "created_by_id": campaign.created_by_id,
        "currency": campaign.currency,
    }


def campaign_requests(session: Session, scope: Scope, campaign_id) -> pd.DataFrame:
    """The campaign's budget requests, newest first (any role of the organization).

    Columns REQUEST_COLUMNS; names None for an erased user; times UTC.
    """
    campaign = load_campaign(session, scope.organization_id, campaign_id)
    requester, decider = aliased(User), aliased(User)
    rows = session.execute(
        sa.select(
            BudgetRequest.id,
            BudgetRequest.status,
            BudgetRequest.budget_type,
            BudgetRequest.requested_amount,
            BudgetRequest.approved_amount,
            BudgetRequest.currency,
            BudgetRequest.auto_approved,
            requester.name,
            BudgetRequest.requested_at,
            decider.name,
            BudgetRequest.decided_at,
            BudgetRequest.decision_reason,
        )
        .outerjoin(requester, requester.id == BudgetRequest.requested_by_id)
        .outerjoin(decider, decider.id == BudgetRequest.decided_by_id)
        .where(
            BudgetRequest.organization_id == scope.organization_id,
            BudgetRequest.campaign_id == campaign.id,
        )
        .order_by(BudgetRequest.id.desc())
    ).all()
    return pd.DataFrame(rows, columns=REQUEST_COLUMNS)
