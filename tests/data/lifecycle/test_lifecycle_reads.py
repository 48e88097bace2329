"""The approval queue, worst-case spend, month spend, notifications and a campaign's history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from data.errors import Forbidden, NotFound
from data.models import DailyRevenueSummary, OrganizationSettings
from data.reads import approvals as reads
from data.reads.notifications import (
    HISTORY_COLUMNS,
    NOTIFICATION_COLUMNS,
    campaign_history,
    muted_kinds,
    notifications,
    unread_count,
)
from data.writes import approvals, campaigns
from data.writes.notify import mark_read, set_muted
from data.writes.transaction import write_transaction
from tests.data.lifecycle.conftest import TODAY, campaign_body, make_org


def _request(session, org, who="analyst", **body):
    with write_transaction(session) as s:
        cid = campaigns.create_campaign(s, org[who], campaign_body(**body))
        return campaigns.submit_for_approval(s, org[who], cid, today=TODAY)


def test_queue_pending_first_oldest_first_with_filters(session, org):
    first = _request(session, org, name="First", platforms=["google"])
    second = _request(session, org, name="Second", who="analyst2", budget_amount="900")
    third = _request(session, org, name="Third", platforms=["tiktok"])
    with write_transaction(session) as s:
        approvals.approve_request(s, org["admin"], first.id)
    queue = reads.approval_queue(session, org["admin"])
    assert list(queue.columns) == reads.QUEUE_COLUMNS
    assert list(queue.request_id) == [second.id, third.id, first.id]
    assert queue.iloc[2].decided_by == "Admin"
    pending = reads.approval_queue(session, org["admin"], status="pending")
    assert list(pending.request_id) == [second.id, third.id]
    assert list(
        reads.approval_queue(session, org["admin"], platform="tiktok").request_id
    ) == [third.id]
    by_amount = reads.approval_queue(session, org["admin"], min_amount=Decimal(500))
    assert list(by_amount.request_id) == [second.id]
    by_requester = reads.approval_queue(
        session, org["admin"], requester_id=org["analyst2"].user_id
    )
    assert list(by_requester.requested_by) == ["Analyst2"]
    own = reads.approval_queue(session, org["analyst"])
    assert set(own.request_id) == {first.id, third.id}
    assert reads.pending_count(session, org["admin"]) == 2
    assert reads.pending_count(session, org["analyst"]) == 0
    with pytest.raises(Forbidden):
        reads.approval_queue(session, org["viewer"])
    other = make_org(session, "other")
    assert reads.approval_queue(session, other["admin"]).empty


def test_worst_case_per_platform(session, org):
    request = _request(
        session, org, platforms=["google", "meta", "tiktok"], budget_amount="100"
    )
    frame = reads.worst_case_spend(session, org["admin"], request.id).set_index(
        "platform"
    )
    assert list(frame.columns) == reads.WORST_CASE_COLUMNS[1:]
    assert frame.loc["google", "worst_day"] == Decimal("200.00")
    assert frame.loc["google", "worst_month"] == Decimal("3040.00")
    assert frame.loc["meta", "worst_day"] == Decimal("175.00")
    assert frame.loc["tiktok", "worst_day"] == Decimal("125.00")
    assert "assumed" in frame.loc["tiktok", "rule"]
    lifetime = _request(
        session, org, name="Life", budget_type="lifetime", budget_amount="700"
    )
    frame = reads.worst_case_spend(session, org["admin"], lifetime.id)
    assert set(frame.worst_month) == {Decimal("700.00")}
    with pytest.raises(NotFound):
        reads.worst_case_spend(session, make_org(session, "x")["admin"], request.id)


def test_month_spend_and_cap(session, org):
    for day, spend in [
        (dt.date(2026, 10, 31), "999"),
        (dt.date(2026, 11, 1), "120.50"),
    ]:
        session.add(
            DailyRevenueSummary(
                organization_id=org["org_id"],
                date=day,
                platform="meta",
                spend=Decimal(spend),
            )
        )
    session.flush()
    row = reads.month_spend(session, org["admin"], TODAY).iloc[0]
    assert (row.spend_to_date, row.monthly_spend_cap, row.cap_remaining) == (
        Decimal("120.50"),
        None,
        None,
    )
    session.get(OrganizationSettings, org["org_id"]).monthly_spend_cap = Decimal(1000)
    row = reads.month_spend(session, org["admin"], TODAY).iloc[0]
    assert (row.cap_remaining, row.currency) == (Decimal("879.50"), "EUR")


def test_notifications_unread_and_mutes(session, org):
    request = _request(session, org)
    admin = org["admin"]
    frame = notifications(session, admin)
    assert list(frame.columns) == NOTIFICATION_COLUMNS
    assert list(frame.kind) == ["campaign_submitted"] and not frame.is_read.any()
    assert unread_count(session, admin) == 1
    assert unread_count(session, org["analyst"]) == 0
    with write_transaction(session) as s:
        mark_read(s, admin.user_id, int(frame.notification_id[0]))
        set_muted(s, admin.user_id, "budget_approved", True)
    assert unread_count(session, admin) == 0
    assert notifications(session, admin, unread_only=True).empty
    assert muted_kinds(session, admin) == ["budget_approved"]
    with write_transaction(session) as s:
        approvals.approve_request(s, org["admin2"], request.id)
    assert unread_count(session, org["analyst"]) == 1


def test_campaign_history_from_the_audit_log(session, org):
    request = _request(session, org)
    with write_transaction(session) as s:
        approvals.reject_request(s, org["admin"], request.id, reason="Not this month")
    history = campaign_history(session, org["viewer"], request.campaign_id)
    assert list(history.columns) == HISTORY_COLUMNS
    assert list(history.action) == [
        "campaign_created",
        "campaign_submitted",
        "budget_rejected",
    ]
    assert list(history.actor_name) == ["Analyst", "Analyst", "Admin"]
    assert history.iloc[2].details["reason"] == "Not this month"


def test_a_deleted_draft_leaves_the_campaign_list_and_detail(session, org):
    from data.filters import CampaignFilters, parse_range
    from data.reads.campaign_detail import campaign_info
    from data.reads.campaign_list import campaign_list

    with write_transaction(session) as s:
        cid = campaigns.create_campaign(s, org["analyst"], campaign_body())
    rng = parse_range("2026-10-01", "2026-11-01")

    def listed():
        frame, _total = campaign_list.uncached(
            session, org["viewer"], rng, CampaignFilters(), page=0, page_size=50
        )
        return list(frame.campaign_id)

    assert listed() == [cid]
    assert not campaign_info(session, org["viewer"], cid).empty
    with write_transaction(session) as s:
        campaigns.delete_campaign(s, org["analyst"], cid)
    assert listed() == []
    assert campaign_info(session, org["viewer"], cid).empty
