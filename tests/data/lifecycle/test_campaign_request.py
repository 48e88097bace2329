"""Deciding by campaign (the API's /campaigns/{id}/approve): the campaign's pending request, or
NotFound / Conflict / Forbidden as the state table and the roles say."""

from __future__ import annotations

import pytest

from data.errors import Conflict, Forbidden, NotFound
from data.writes import approvals, campaigns
from data.writes.approvals import campaign_request
from tests.data.lifecycle.conftest import TODAY, campaign_body, make_org


def test_the_pending_request_of_a_submitted_campaign(session, org):
    cid = campaigns.create_campaign(session, org["analyst"], campaign_body())
    request = campaigns.submit_for_approval(session, org["analyst"], cid, today=TODAY)
    found = campaign_request(session, org["admin"], cid, "approve", expected_version=2)
    assert found.id == request.id and found.status == "pending"


def test_refusals(session, org):
    cid = campaigns.create_campaign(session, org["analyst"], campaign_body())
    with pytest.raises(Conflict, match="draft cannot be approved"):
        campaign_request(session, org["admin"], cid, "approve")
    campaigns.submit_for_approval(session, org["analyst"], cid, today=TODAY)
    with pytest.raises(Conflict, match="changed since you loaded it"):
        campaign_request(session, org["admin"], cid, "reject", expected_version=1)
    with pytest.raises(Forbidden):
        campaign_request(session, org["analyst"], cid, "approve")
    other = make_org(session, "other")
    with pytest.raises(NotFound):
        campaign_request(session, other["admin"], cid, "approve")
    pending = campaign_request(session, org["admin"], cid, "approve")
    approvals.approve_request(session, org["admin"], pending.id)
    with pytest.raises(Conflict, match="approved cannot be approved"):
        campaign_request(session, org["admin"], cid, "approve")
