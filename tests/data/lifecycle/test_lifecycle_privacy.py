"""The registry's promises for the lifecycle tables: an erased requester's notifications and
mutes go with the account, their requests stay with the authorship removed, and the export
holds them."""

from __future__ import annotations

import sqlalchemy as sa

from data.models import BudgetRequest, Notification
from data.privacy.erase import erase_subject
from data.privacy.subject import export_queries, find_subject
from data.writes import approvals, campaigns
from data.writes.notify import set_muted
from data.writes.transaction import write_transaction
from tests.data.lifecycle.conftest import TODAY, campaign_body, count


def test_erasing_a_requester_and_an_approver(session, org):
    with write_transaction(session) as s:
        cid = campaigns.create_campaign(s, org["analyst"], campaign_body())
        request = campaigns.submit_for_approval(s, org["analyst"], cid, today=TODAY)
        approvals.approve_request(s, org["admin"], request.id)
        set_muted(s, org["analyst"].user_id, "budget_rejected", True)
    analyst = find_subject(session, f"analyst@{_slug(session, org)}.test")
    names = [name for name, _table, _query in export_queries(analyst)]
    assert {"budget_requests_made", "notifications", "notification_mutes"} <= set(names)
    exported = {name: query for name, _table, query in export_queries(analyst)}
    assert len(session.execute(exported["notifications"]).all()) == 1
    with write_transaction(session) as s:
        erase_subject(s, analyst, b"k" * 32, actor_user_id=org["admin"].user_id)
    session.expire_all()
    kept = session.get(BudgetRequest, request.id)
    assert kept is not None and kept.requested_by_id is None
    assert kept.decided_by_id == org["admin"].user_id
    assert count(session, Notification, Notification.user_id == analyst.user_id) == 0


def _slug(session, org) -> str:
    from data.models import Organization

    return session.scalar(
        sa.select(Organization.slug).where(Organization.id == org["org_id"])
    )
