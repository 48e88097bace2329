"""Campaign and approval writes: each commits its change, audit row, outbox row and notifications."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from data.campaign_rules import InvalidField
from data.errors import Conflict, Forbidden, NotFound
from data.models import (
    AdCopy,
    AuditLog,
    BudgetRequest,
    CampaignDeployment,
    Notification,
    NotificationMute,
    OrganizationSettings,
    OutboxEntry,
)
from data.writes import approvals, campaigns
from data.writes.notify import mark_read, set_muted
from data.writes.transaction import write_transaction
from tests.data.lifecycle.conftest import TODAY, campaign_body, count


def _draft(session, org, who="analyst", **overrides) -> int:
    with write_transaction(session) as s:
        return campaigns.create_campaign(s, org[who], campaign_body(**overrides))


def _submitted(session, org, **overrides) -> BudgetRequest:
    cid = _draft(session, org, **overrides)
    with write_transaction(session) as s:
        return campaigns.submit_for_approval(s, org["analyst"], cid, today=TODAY)


def _actions(session, cid) -> list[str]:
    return list(
        session.scalars(
            sa.select(AuditLog.action)
            .where(AuditLog.target_type == "campaign", AuditLog.target_id == str(cid))
            .order_by(AuditLog.id)
        )
    )


def _notified(session, org, kind) -> list[int]:
    """Recipients of ``kind`` in this test's organization (other tests' rows may linger)."""
    return sorted(
        session.scalars(
            sa.select(Notification.user_id).where(
                Notification.kind == kind, Notification.organization_id == org["org_id"]
            )
        )
    )


def test_create_saves_a_draft_with_variants_audit_and_outbox(session, org):
    cid = _draft(session, org)
    campaign = session.get(CampaignDeployment, cid)
    assert (campaign.status, campaign.version, campaign.currency) == ("draft", 1, "EUR")
    assert campaign.platforms == "google,meta"
    assert campaign.budget_amount == Decimal("250.00") == campaign.budget_daily
    assert campaign.created_by_id == org["analyst"].user_id
    labels = session.scalars(
        sa.select(AdCopy.variant_label).where(AdCopy.campaign_id == cid)
    )
    assert sorted(labels) == ["A", "B"]
    assert _actions(session, cid) == ["campaign_created"]
    assert (
        count(
            session, OutboxEntry, OutboxEntry.payload["campaign_id"].as_integer() == cid
        )
        == 1
    )


def test_a_viewer_cannot_create(session, org):
    with pytest.raises(Forbidden):
        _draft(session, org, who="viewer")


def test_edit_a_draft_and_a_rejected_campaign(session, org):
    cid = _draft(session, org)
    with write_transaction(session) as s:
        version = campaigns.edit_campaign(
            s,
            org["analyst"],
            cid,
            campaign_body(name="Renamed", variants=[{"headline": "H", "body": "B"}]),
        )
    assert version == 2
    assert count(session, AdCopy, AdCopy.campaign_id == cid) == 1
    with write_transaction(session) as s:
        request = campaigns.submit_for_approval(s, org["analyst"], cid, today=TODAY)
    with write_transaction(session) as s:
        approvals.reject_request(s, org["admin"], request.id, reason="Too early")
    with pytest.raises(Conflict), write_transaction(session) as s:
        campaigns.submit_for_approval(s, org["analyst"], cid, today=TODAY)
    with write_transaction(session) as s:
        campaigns.edit_campaign(s, org["analyst"], cid, campaign_body(name="Renamed"))
    assert session.get(CampaignDeployment, cid).status == "draft"


def test_editing_a_pending_campaign_is_a_conflict(session, org):
    request = _submitted(session, org)
    with (
        pytest.raises(Conflict, match="pending approval cannot be edited"),
        write_transaction(session) as s,
    ):
        campaigns.edit_campaign(s, org["analyst"], request.campaign_id, campaign_body())


def test_delete_is_soft_and_for_the_author_or_an_admin(session, org):
    cid = _draft(session, org)
    with pytest.raises(Forbidden), write_transaction(session) as s:
        campaigns.delete_campaign(s, org["analyst2"], cid)
    with write_transaction(session) as s:
        campaigns.delete_campaign(s, org["admin"], cid)
    assert session.get(CampaignDeployment, cid).deleted_at is not None
    with pytest.raises(NotFound), write_transaction(session) as s:
        campaigns.edit_campaign(s, org["analyst"], cid, campaign_body())
    _draft(session, org)  # the name is free again


def test_submit_notifies_the_admins_but_not_a_muted_one(session, org):
    with write_transaction(session) as s:
        set_muted(s, org["admin2"].user_id, "campaign_submitted", True)
    request = _submitted(session, org)
    assert (request.status, request.requested_by_id) == (
        "pending",
        org["analyst"].user_id,
    )
    assert _notified(session, org, "campaign_submitted") == [org["admin"].user_id]
    assert _actions(session, request.campaign_id)[-1] == "campaign_submitted"
    assert (
        session.get(CampaignDeployment, request.campaign_id).status
        == "pending_approval"
    )


def test_submitting_a_start_in_the_past_is_invalid(session, org):
    cid = _draft(session, org, start_date="2026-10-01")
    with pytest.raises(InvalidField) as error, write_transaction(session) as s:
        campaigns.submit_for_approval(s, org["analyst"], cid, today=TODAY)
    assert error.value.field == "start_date"
    assert count(session, BudgetRequest, BudgetRequest.campaign_id == cid) == 0


def test_auto_approve_at_or_under_the_ceiling(session, org):
    session.get(OrganizationSettings, org["org_id"]).auto_approve_ceiling = Decimal(250)
    request = _submitted(session, org)
    assert (request.status, request.auto_approved) == ("approved", True)
    assert request.approved_amount == Decimal("250.00")
    assert session.get(CampaignDeployment, request.campaign_id).status == "approved"
    assert _actions(session, request.campaign_id)[-2:] == [
        "campaign_submitted",
        "budget_auto_approved",
    ]
    assert _notified(session, org, "budget_auto_approved") == sorted(
        [org["admin"].user_id, org["admin2"].user_id]
    )


def test_approve_a_lower_amount_needs_a_reason(session, org):
    request = _submitted(session, org)
    with pytest.raises(InvalidField) as error, write_transaction(session) as s:
        approvals.approve_request(s, org["admin"], request.id, amount="100")
    assert error.value.field == "reason"
    with pytest.raises(InvalidField), write_transaction(session) as s:
        approvals.approve_request(s, org["admin"], request.id, amount="300")
    with write_transaction(session) as s:
        decided = approvals.approve_request(
            s, org["admin"], request.id, amount="100", reason="Test first"
        )
    assert (decided.status, decided.approved_amount, decided.version) == (
        "approved",
        Decimal("100.00"),
        2,
    )
    campaign = session.get(CampaignDeployment, request.campaign_id)
    session.refresh(campaign)
    assert (campaign.status, campaign.budget_amount) == ("approved", Decimal("100.00"))
    assert _notified(session, org, "budget_approved") == [org["analyst"].user_id]
    note = session.scalar(
        sa.select(Notification).where(Notification.kind == "budget_approved")
    )
    assert "Test first" in note.body and note.link == f"/campaigns/{campaign.id}"


def test_the_second_decision_names_the_first(session, org):
    request = _submitted(session, org)
    with write_transaction(session) as s:
        approvals.approve_request(s, org["admin"], request.id)
    with (
        pytest.raises(Conflict, match="already approved by Admin at"),
        write_transaction(session) as s,
    ):
        approvals.reject_request(s, org["admin2"], request.id, reason="No")


def test_four_eyes_unless_the_organization_allows_self_approval(session, org):
    cid = _draft(session, org, who="admin")
    with write_transaction(session) as s:
        request = campaigns.submit_for_approval(s, org["admin"], cid, today=TODAY)
    with (
        pytest.raises(Forbidden, match="your own request"),
        write_transaction(session) as s,
    ):
        approvals.approve_request(s, org["admin"], request.id)
    session.get(OrganizationSettings, org["org_id"]).allow_self_approval = True
    with write_transaction(session) as s:
        assert (
            approvals.approve_request(s, org["admin"], request.id).status == "approved"
        )


def test_analysts_cannot_decide_and_reject_needs_a_reason(session, org):
    request = _submitted(session, org)
    with pytest.raises(Forbidden), write_transaction(session) as s:
        approvals.approve_request(s, org["analyst2"], request.id)
    with pytest.raises(InvalidField) as error, write_transaction(session) as s:
        approvals.reject_request(s, org["admin"], request.id, reason="  ")
    assert error.value.field == "reason"
    with write_transaction(session) as s:
        approvals.reject_request(s, org["admin"], request.id, reason="Over the cap")
    assert session.get(CampaignDeployment, request.campaign_id).status == "rejected"
    assert _notified(session, org, "budget_rejected") == [org["analyst"].user_id]


def test_withdraw_cancels_the_request(session, org):
    request = _submitted(session, org)
    with pytest.raises(Forbidden), write_transaction(session) as s:
        campaigns.withdraw(s, org["analyst2"], request.campaign_id)
    with write_transaction(session) as s:
        campaigns.withdraw(s, org["analyst"], request.campaign_id)
    session.refresh(request)
    assert request.status == "cancelled"
    assert session.get(CampaignDeployment, request.campaign_id).status == "draft"
    with (
        pytest.raises(Conflict, match="already cancelled"),
        write_transaction(session) as s,
    ):
        approvals.approve_request(s, org["admin"], request.id)


def test_other_organizations_see_nothing(session, org):
    from tests.data.lifecycle.conftest import make_org

    other = make_org(session, "other")
    request = _submitted(session, org)
    with pytest.raises(NotFound), write_transaction(session) as s:
        approvals.approve_request(s, other["admin"], request.id)
    with pytest.raises(NotFound), write_transaction(session) as s:
        campaigns.withdraw(s, other["admin"], request.campaign_id)


def test_a_failure_after_the_audit_row_leaves_nothing(session, org, monkeypatch):
    request = _submitted(session, org)
    mine = AuditLog.organization_id == org["org_id"]
    theirs = Notification.organization_id == org["org_id"]
    audits, notes = count(session, AuditLog, mine), count(session, Notification, theirs)

    def boom(*_args, **_kwargs):
        raise RuntimeError("injected after the audit row")

    monkeypatch.setattr(approvals, "enqueue", boom)
    with pytest.raises(RuntimeError), write_transaction(session) as s:
        approvals.approve_request(s, org["admin"], request.id)
    session.expire_all()
    assert session.get(BudgetRequest, request.id).status == "pending"
    assert (
        session.get(CampaignDeployment, request.campaign_id).status
        == "pending_approval"
    )
    assert (count(session, AuditLog, mine), count(session, Notification, theirs)) == (
        audits,
        notes,
    )


def test_mark_read(session, org):
    _submitted(session, org)
    admin = org["admin"].user_id
    with write_transaction(session) as s:
        assert mark_read(s, admin) == 1
        assert mark_read(s, admin) == 0
    assert count(session, NotificationMute, NotificationMute.user_id == admin) == 0
