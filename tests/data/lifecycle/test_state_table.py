"""The lifecycle table: every legal move succeeds, every other one is a Conflict and changes nothing."""

from __future__ import annotations

import itertools

import pytest

from data.errors import Conflict
from data.lifecycle import (
    TRANSITIONS,
    allowed_actions,
    next_status,
    transition_campaign,
)
from data.models import CAMPAIGN_STATUSES, CampaignDeployment

PAIRS = list(itertools.product(CAMPAIGN_STATUSES, TRANSITIONS))
EXPECTED = {
    ("draft", "edit"): "draft",
    ("rejected", "edit"): "draft",
    ("draft", "delete"): "draft",
    ("draft", "submit"): "pending_approval",
    ("pending_approval", "withdraw"): "draft",
    ("pending_approval", "approve"): "approved",
    ("pending_approval", "reject"): "rejected",
    ("approved", "activate"): "active",
    ("active", "pause"): "paused",
    ("paused", "resume"): "active",
    ("active", "complete"): "completed",
}


@pytest.mark.parametrize(("status", "action"), PAIRS)
def test_next_status_follows_the_table(status, action):
    if (status, action) in EXPECTED:
        assert next_status(status, action) == EXPECTED[(status, action)]
    else:
        with pytest.raises(Conflict, match="cannot be"):
            next_status(status, action)


def test_the_table_holds_exactly_the_documented_moves():
    moves = {(s, a): t for a, m in TRANSITIONS.items() for s, t in m.items()}
    assert moves == EXPECTED


def test_unknown_action_is_a_conflict():
    with pytest.raises(Conflict):
        next_status("draft", "launch")


@pytest.mark.parametrize(("status", "action"), PAIRS)
def test_transition_in_the_database(session, org, status, action):
    campaign = CampaignDeployment(
        organization_id=org["org_id"], name=f"c-{status}-{action}", status=status
    )
    session.add(campaign)
    session.flush()
    if (status, action) in EXPECTED:
        moved = transition_campaign(session, campaign, action)
        assert (moved.old_status, moved.new_status) == (
            status,
            EXPECTED[(status, action)],
        )
        session.refresh(campaign)
        assert (campaign.status, campaign.version) == (moved.new_status, 2)
    else:
        with pytest.raises(Conflict):
            transition_campaign(session, campaign, action)
        session.refresh(campaign)
        assert (campaign.status, campaign.version) == (status, 1)


def test_a_stale_version_is_a_conflict(session, org):
    campaign = CampaignDeployment(organization_id=org["org_id"], name="stale")
    session.add(campaign)
    session.flush()
    transition_campaign(session, campaign, "edit")
    with pytest.raises(Conflict, match="changed since"):
        transition_campaign(session, campaign, "edit", expected_version=1)


def test_a_lost_compare_and_set_is_a_conflict(session, org):
    """Another writer moved the row between our read and our UPDATE: zero rows, Conflict."""
    campaign = CampaignDeployment(organization_id=org["org_id"], name="raced")
    session.add(campaign)
    session.flush()
    session.refresh(campaign)
    session.execute(
        CampaignDeployment.__table__.update()
        .where(CampaignDeployment.id == campaign.id)
        .values(version=5)
    )
    with pytest.raises(Conflict, match="same time"):
        transition_campaign(session, campaign, "submit")


def test_allowed_actions_per_role():
    assert allowed_actions("draft", "analyst") == ["edit", "delete", "submit"]
    assert allowed_actions("pending_approval", "analyst") == ["withdraw"]
    assert allowed_actions("pending_approval", "admin") == [
        "withdraw",
        "approve",
        "reject",
    ]
    assert allowed_actions("draft", "viewer") == []
