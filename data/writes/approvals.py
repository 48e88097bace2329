"""Budget decisions: approve (optionally a lower amount, with a reason) or reject (with a reason).

A decision is a compare-and-set on the request's version: of two admins deciding at once one
wins and the other gets a Conflict naming who decided and when. Four eyes: the requester does
not decide their own request unless the organization allows self-approval.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.cache import invalidate_on_commit
from data.campaign_rules import InvalidField, clean_text, parse_amount, settings_of
from data.errors import Conflict, Forbidden, NotFound, row_id
from data.lifecycle import ACTION_ROLES, load_campaign, next_status, transition_campaign
from data.models import BudgetRequest, User
from data.scope import Scope
from data.writes.audit import record_event
from data.writes.notify import enqueue, notify

MAX_REASON = 500


def load_request(session: Session, organization_id: int, request_id) -> BudgetRequest:
    """The organization's budget request, fresh from the database; NotFound otherwise."""
    request_id = row_id(request_id, "No such budget request.")
    request = session.scalar(
        sa.select(BudgetRequest)
        .where(
            BudgetRequest.id == request_id,
            BudgetRequest.organization_id == organization_id,
        )
        .execution_options(populate_existing=True)
    )
    if request is None:
        raise NotFound("No such budget request.")
    return request


def campaign_request(
    session: Session,
    scope: Scope,
    campaign_id,
    action: str,
    *,
    expected_version: int | None = None,
) -> BudgetRequest:
    """The pending request of the organization's campaign, for deciding it by campaign (the
    API's /campaigns/{id}/approve): NotFound for no such campaign, Conflict when the campaign's
    status has no such move (data/lifecycle.py) or it changed from ``expected_version``."""
    scope.require(ACTION_ROLES[action])
    campaign = load_campaign(session, scope.organization_id, campaign_id)
    next_status(campaign.status, action)
    if expected_version is not None and int(expected_version) != campaign.version:
        raise Conflict(
            "This campaign changed since you loaded it: reload and try again."
        )
    request = session.scalar(
        sa.select(BudgetRequest)
        .where(
            BudgetRequest.campaign_id == campaign.id,
            BudgetRequest.status == "pending",
        )
        .execution_options(populate_existing=True)
    )
    if request is None:
        raise Conflict("This campaign has no pending budget request.")
    return request


def already_decided(session: Session, request: BudgetRequest) -> Conflict:
    """'Already approved by X at T' for a request that is no longer pending."""
    session.refresh(request)
    who = session.scalar(sa.select(User.name).where(User.id == request.decided_by_id))
    if request.auto_approved:
        who = "the auto-approve ceiling"
    when = request.decided_at
    at = f" at {when:%Y-%m-%d %H:%M} UTC" if when else ""
    by = f" by {who}" if who else ""
    return Conflict(f"This request was already {request.status}{by}{at}.")


def _decide(
    session: Session,
    scope: Scope,
    request_id,
    action: str,
    *,
    status: str,
    approved_amount: Decimal | None,
    reason: str | None,
    expected_version: int | None,
    ip_address: str | None,
) -> BudgetRequest:
    scope.require(ACTION_ROLES[action])
    request = load_request(session, scope.organization_id, request_id)
    if request.status != "pending":
        raise already_decided(session, request)
    if expected_version is not None and int(expected_version) != request.version:
        raise Conflict("This request changed since you loaded it: reload.")
    settings = settings_of(session, scope.organization_id)
    if request.requested_by_id == scope.user_id and not settings.allow_self_approval:
        raise Forbidden("You cannot decide your own request: another admin must.")
    now = dt.datetime.now(dt.UTC)
    result = session.execute(
        sa.update(BudgetRequest)
        .where(
            BudgetRequest.id == request.id,
            BudgetRequest.version == request.version,
            BudgetRequest.status == "pending",
        )
        .values(
            status=status,
            approved_amount=approved_amount,
            decided_by_id=scope.user_id,
            decided_at=now,
            decision_reason=reason,
            version=request.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise already_decided(session, request)
    campaign = load_campaign(session, scope.organization_id, request.campaign_id)
    values = {}
    if approved_amount is not None and approved_amount != campaign.budget_amount:
        values["budget_amount"] = approved_amount
        if campaign.budget_type == "daily":
            values["budget_daily"] = approved_amount
        else:
            days = (campaign.end_date - campaign.start_date).days + 1
            values["budget_daily"] = (approved_amount / days).quantize(Decimal("0.01"))
    transition_campaign(session, campaign, action, values=values)
    details = {
        "request_id": request.id,
        "requested": str(request.requested_amount),
        "approved": None if approved_amount is None else str(approved_amount),
        "reason": reason,
    }
    audit_action = f"budget_{status}"
    record_event(
        session, scope.actor(ip_address), audit_action,
        target_type="campaign", target_id=campaign.id, details=details,
    )  # fmt: skip
    enqueue(
        session, scope.organization_id, audit_action,
        {"campaign_id": campaign.id, "actor_user_id": scope.user_id, **details},
    )  # fmt: skip
    amount_text = (
        "" if approved_amount is None else f"{approved_amount} {request.currency}"
    )
    body = "; ".join(part for part in (amount_text, reason or "") if part)
    notify(
        session, scope.organization_id,
        [request.requested_by_id, campaign.created_by_id], audit_action,
        f"Budget {status}: {campaign.name}", body=body,
        link=f"/campaigns/{campaign.id}", exclude=scope.user_id,
    )  # fmt: skip
    invalidate_on_commit(session, scope.organization_id)
    session.flush()
    session.refresh(request)
    return request


def approve_request(
    session: Session,
    scope: Scope,
    request_id,
    *,
    amount=None,
    reason: str | None = None,
    expected_version: int | None = None,
    ip_address: str | None = None,
) -> BudgetRequest:
    """Approve a pending request (admin), at its amount or a lower ``amount`` with a ``reason``."""
    scope.require(ACTION_ROLES["approve"])
    request = load_request(session, scope.organization_id, request_id)
    approved = request.requested_amount
    reason = clean_text("reason", reason, limit=MAX_REASON, required=False)
    if amount not in (None, ""):
        approved = parse_amount("amount", amount)
        if approved > request.requested_amount:
            raise InvalidField("amount", "Approve at most the requested amount.")
        if approved < request.requested_amount and not reason:
            raise InvalidField("reason", "Say why you approve a lower amount.")
    return _decide(
        session, scope, request_id, "approve", status="approved",
        approved_amount=approved, reason=reason,
        expected_version=expected_version, ip_address=ip_address,
    )  # fmt: skip


def reject_request(
    session: Session,
    scope: Scope,
    request_id,
    *,
    reason: str | None,
    expected_version: int | None = None,
    ip_address: str | None = None,
) -> BudgetRequest:
    """Reject a pending request (admin); the reason is required and shown to the requester."""
    scope.require(ACTION_ROLES["reject"])
    reason = clean_text("reason", reason, limit=MAX_REASON, required=True)
    return _decide(
        session, scope, request_id, "reject", status="rejected",
        approved_amount=None, reason=reason,
        expected_version=expected_version, ip_address=ip_address,
    )  # fmt: skip
