"""Campaign writes: create, edit, delete (soft), submit for budget approval, withdraw.

Each takes the caller's session (the caller commits through data/writes/transaction.py),
moves the campaign through data/lifecycle.py's table, and adds its audit row, outbox row and
notifications to the same transaction. Decisions are in data/writes/approvals.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.cache import invalidate_on_commit
from data.campaign_rules import (
    CampaignInput,
    check_submission,
    daily_figure,
    parse_campaign,
    settings_of,
)
from data.errors import Conflict, Forbidden
from data.lifecycle import (
    ACTION_ROLES,
    PAST_TENSE,
    load_campaign,
    transition_campaign,
)
from data.models import (
    AdCopy,
    BudgetRequest,
    CampaignDeployment,
    ImagePrompt,
    VideoPrompt,
)
from data.scope import Scope
from data.writes.audit import record_event
from data.writes.notify import admin_ids, enqueue, notify

LABELS = "ABCDEFGHIJ"


def _columns(data: CampaignInput) -> dict:
    return {
        "name": data.name,
        "objective": data.objective,
        "platforms": ",".join(data.platforms),
        "budget_type": data.budget_type,
        "budget_amount": data.budget_amount,
        "budget_daily": daily_figure(data),
        "start_date": data.start_date,
        "end_date": data.end_date,
    }


def _replace_variants(session: Session, campaign: CampaignDeployment, data) -> None:
    session.execute(sa.delete(AdCopy).where(AdCopy.campaign_id == campaign.id))
    for label, variant in zip(LABELS, data.variants, strict=False):
        session.add(
            AdCopy(
                organization_id=campaign.organization_id,
                campaign_id=campaign.id,
                variant_label=label,
                headline=variant.headline,
                body=variant.body,
                call_to_action=variant.call_to_action,
            )
        )
    for model, prompts in (
        (ImagePrompt, data.image_prompts),
        (VideoPrompt, data.video_prompts),
    ):
        session.execute(sa.delete(model).where(model.campaign_id == campaign.id))
        for text in prompts:
            session.add(
                model(
                    organization_id=campaign.organization_id,
                    campaign_id=campaign.id,
                    prompt=text,
                )
            )


def _audit(session, scope, action, campaign_id, ip_address, **details) -> None:
    record_event(
        session,
        scope.actor(ip_address),
        action,
        target_type="campaign",
        target_id=campaign_id,
        details=details,
    )
    enqueue(
        session,
        scope.organization_id,
        action,
        {"campaign_id": campaign_id, "actor_user_id": scope.user_id, **details},
    )
    invalidate_on_commit(session, scope.organization_id)


def create_campaign(
    session: Session, scope: Scope, raw: Mapping, *, ip_address: str | None = None
) -> int:
    """Save a new draft from a form or API body (see parse_campaign); its id. Analyst or admin."""
    scope.require("analyst")
    data = parse_campaign(session, scope.organization_id, raw)
    campaign = CampaignDeployment(
        organization_id=scope.organization_id,
        status="draft",
        currency=settings_of(session, scope.organization_id).currency,
        created_by_id=scope.user_id,
        version=1,
        **_columns(data),
    )
    session.add(campaign)
    session.flush()
    _replace_variants(session, campaign, data)
    _audit(session, scope, "campaign_created", campaign.id, ip_address, name=data.name)
    session.flush()
    return campaign.id


def edit_campaign(
    session: Session,
    scope: Scope,
    campaign_id,
    raw: Mapping,
    *,
    expected_version: int | None = None,
    ip_address: str | None = None,
) -> int:
    """Replace a draft's (or rejected campaign's: it becomes a draft) fields; the new version."""
    scope.require(ACTION_ROLES["edit"])
    campaign = load_campaign(session, scope.organization_id, campaign_id)
    data = parse_campaign(session, scope.organization_id, raw, campaign_id=campaign.id)
    moved = transition_campaign(
        session,
        campaign,
        "edit",
        expected_version=expected_version,
        values=_columns(data),
    )
    _replace_variants(session, campaign, data)
    _audit(
        session, scope, "campaign_edited", campaign.id, ip_address,
        from_status=moved.old_status, to_status=moved.new_status,
    )  # fmt: skip
    session.flush()
    return moved.version


def delete_campaign(
    session: Session,
    scope: Scope,
    campaign_id,
    *,
    expected_version: int | None = None,
    ip_address: str | None = None,
) -> None:
    """Soft-delete a draft (deleted_at set); its author or an admin."""
    scope.require(ACTION_ROLES["delete"])
    campaign = load_campaign(session, scope.organization_id, campaign_id)
    if campaign.created_by_id != scope.user_id and not scope.allows("admin"):
        raise Forbidden("Only the campaign's author or an admin can delete it.")
    transition_campaign(
        session,
        campaign,
        "delete",
        expected_version=expected_version,
        values={"deleted_at": dt.datetime.now(dt.UTC)},
    )
    _audit(session, scope, "campaign_deleted", campaign.id, ip_address)
    session.flush()


def submit_for_approval(
    session: Session,
    scope: Scope,
    campaign_id,
    *,
    today: dt.date,
    expected_version: int | None = None,
    ip_address: str | None = None,
) -> BudgetRequest:
    """Ask for the draft's budget: a pending request, or an approved one at/under the org's
    auto-approve ceiling (recorded as auto-approved). Notifies the organization's admins."""
    scope.require(ACTION_ROLES["submit"])
    campaign = load_campaign(session, scope.organization_id, campaign_id)
    check_submission(campaign, today)
    settings = settings_of(session, scope.organization_id)
    amount = campaign.budget_amount
    transition_campaign(session, campaign, "submit", expected_version=expected_version)
    request = BudgetRequest(
        organization_id=scope.organization_id,
        campaign_id=campaign.id,
        budget_type=campaign.budget_type,
        requested_amount=amount,
        currency=campaign.currency,
        status="pending",
        requested_by_id=scope.user_id,
        version=1,
    )
    session.add(request)
    session.flush()
    details = {"request_id": request.id, "amount": str(amount)}
    _audit(session, scope, "campaign_submitted", campaign.id, ip_address, **details)
    link = f"/campaigns/{campaign.id}"
    ceiling = settings.auto_approve_ceiling
    if ceiling is not None and amount <= ceiling:
        request.status, request.approved_amount = "approved", amount
        request.auto_approved, request.version = True, 2
        request.decided_at = dt.datetime.now(dt.UTC)
        transition_campaign(session, campaign, "approve")
        _audit(
            session, scope, "budget_auto_approved", campaign.id, ip_address,
            ceiling=str(ceiling), **details,
        )  # fmt: skip
        notify(
            session, scope.organization_id, admin_ids(session, scope.organization_id),
            "budget_auto_approved", f"Auto-approved: {campaign.name}",
            body=f"{amount} {campaign.currency}, at or under the ceiling {ceiling}.",
            link=link, exclude=scope.user_id,
        )  # fmt: skip
    else:
        notify(
            session, scope.organization_id, admin_ids(session, scope.organization_id),
            "campaign_submitted", f"Budget approval requested: {campaign.name}",
            body=f"{amount} {campaign.currency} ({campaign.budget_type}).",
            link="/approvals", exclude=scope.user_id,
        )  # fmt: skip
    session.flush()
    return request


# Admin moves of an approved campaign: no fields change, only the status (and the audit row).
RUN_ACTIONS = ("activate", "pause", "resume", "complete")


def move_campaign(
    session: Session,
    scope: Scope,
    campaign_id,
    action: str,
    *,
    expected_version: int | None = None,
    ip_address: str | None = None,
) -> int:
    """Activate, pause, resume or complete a campaign (admin); its new version."""
    if action not in RUN_ACTIONS:
        raise Conflict(f"Unknown action: {action}.")
    scope.require(ACTION_ROLES[action])
    campaign = load_campaign(session, scope.organization_id, campaign_id)
    moved = transition_campaign(
        session, campaign, action, expected_version=expected_version
    )
    _audit(
        session, scope, f"campaign_{PAST_TENSE[action]}", campaign.id, ip_address,
        from_status=moved.old_status, to_status=moved.new_status,
    )  # fmt: skip
    session.flush()
    return moved.version


def pending_request(session: Session, campaign_id: int) -> BudgetRequest | None:
    return session.scalar(
        sa.select(BudgetRequest)
        .where(
            BudgetRequest.campaign_id == campaign_id, BudgetRequest.status == "pending"
        )
        .execution_options(populate_existing=True)
    )


def withdraw(
    session: Session,
    scope: Scope,
    campaign_id,
    *,
    expected_version: int | None = None,
    ip_address: str | None = None,
) -> None:
    """Take a pending request back (requester or admin): the campaign is a draft again."""
    scope.require(ACTION_ROLES["withdraw"])
    campaign = load_campaign(session, scope.organization_id, campaign_id)
    request = pending_request(session, campaign.id)
    theirs = request is None or request.requested_by_id == scope.user_id
    if not theirs and not scope.allows("admin"):
        raise Forbidden("Only the requester or an admin can withdraw it.")
    transition_campaign(
        session, campaign, "withdraw", expected_version=expected_version
    )
    if request is not None:
        result = session.execute(
            sa.update(BudgetRequest)
            .where(
                BudgetRequest.id == request.id,
                BudgetRequest.version == request.version,
                BudgetRequest.status == "pending",
            )
            .values(status="cancelled", version=request.version + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise Conflict("The request was decided at the same time: reload.")
    request_id = request.id if request is not None else None
    _audit(
        session, scope, "campaign_withdrawn", campaign.id, ip_address,
        request_id=request_id,
    )  # fmt: skip
    notify(
        session, scope.organization_id, admin_ids(session, scope.organization_id),
        "campaign_withdrawn", f"Request withdrawn: {campaign.name}",
        link=f"/campaigns/{campaign.id}", exclude=scope.user_id,
    )  # fmt: skip
    session.flush()
