"""The campaign lifecycle as a table: which action moves which status where, and who may do it.

Every lifecycle write (data/writes/campaigns.py, data/writes/approvals.py) goes through
``transition_campaign``: an action missing from the table is a Conflict, never a no-op, and the
move is a compare-and-set on the campaign's version, so two writers never both win.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.errors import Conflict, NotFound, row_id
from data.models import CampaignDeployment

# action -> {from status: to status}. "delete" keeps the status and sets deleted_at.
TRANSITIONS: dict[str, dict[str, str]] = {
    "edit": {"draft": "draft", "rejected": "draft"},
    "delete": {"draft": "draft"},
    "submit": {"draft": "pending_approval"},
    "withdraw": {"pending_approval": "draft"},
    "approve": {"pending_approval": "approved"},
    "reject": {"pending_approval": "rejected"},
    "activate": {"approved": "active"},
    "pause": {"active": "paused"},
    "resume": {"paused": "active"},
    "complete": {"active": "completed"},
}
# The least role each action needs (data/scope.py ROLE_RANK); authorship rules are in the writes.
ACTION_ROLES: dict[str, str] = {
    "edit": "analyst",
    "delete": "analyst",
    "submit": "analyst",
    "withdraw": "analyst",
    "approve": "admin",
    "reject": "admin",
    "activate": "admin",
    "pause": "admin",
    "resume": "admin",
    "complete": "admin",
}
PAST_TENSE = {
    "edit": "edited",
    "delete": "deleted",
    "submit": "submitted",
    "withdraw": "withdrawn",
    "approve": "approved",
    "reject": "rejected",
    "activate": "activated",
    "pause": "paused",
    "resume": "resumed",
    "complete": "completed",
}


def next_status(status: str, action: str) -> str:
    """The status ``action`` leads to from ``status``; Conflict when the table has no such move."""
    moves = TRANSITIONS.get(action)
    if moves is None:
        raise Conflict(f"Unknown action: {action}.")
    if status not in moves:
        status_text = status.replace("_", " ")
        raise Conflict(
            f"A campaign that is {status_text} cannot be {PAST_TENSE[action]}."
        )
    return moves[status]


def allowed_actions(status: str, role: str) -> list[str]:
    """The actions the table allows from ``status`` for ``role`` (for buttons), in table order."""
    from data.scope import ROLE_RANK

    rank = ROLE_RANK.get(role, 0)
    return [
        action
        for action, moves in TRANSITIONS.items()
        if status in moves and rank >= ROLE_RANK[ACTION_ROLES[action]]
    ]


@dataclass(frozen=True)
class Moved:
    """A campaign's status change as committed: before, after, and its new version."""

    campaign_id: int
    action: str
    old_status: str
    new_status: str
    version: int


def load_campaign(
    session: Session, organization_id: int, campaign_id
) -> CampaignDeployment:
    """The organization's campaign (not deleted), fresh from the database; NotFound otherwise."""
    campaign_id = row_id(campaign_id, "No such campaign.")
    campaign = session.scalar(
        sa.select(CampaignDeployment)
        .where(
            CampaignDeployment.id == campaign_id,
            CampaignDeployment.organization_id == organization_id,
            CampaignDeployment.deleted_at.is_(None),
        )
        .execution_options(populate_existing=True)
    )
    if campaign is None:
        raise NotFound("No such campaign.")
    return campaign


def transition_campaign(
    session: Session,
    campaign: CampaignDeployment,
    action: str,
    *,
    expected_version: int | None = None,
    values: dict | None = None,
) -> Moved:
    """Move ``campaign`` by ``action`` with a compare-and-set on (version, status).

    ``expected_version``: the version the caller saw (a form, an API If-Match); a different one
    is a Conflict. ``values``: other columns to set in the same UPDATE. Zero rows updated (someone
    else moved it first) is a Conflict.
    """
    old_status, version = campaign.status, campaign.version
    new_status = next_status(old_status, action)
    if expected_version is not None and int(expected_version) != version:
        raise Conflict(
            "This campaign changed since you loaded it: reload and try again."
        )
    now = dt.datetime.now(dt.UTC)
    result = session.execute(
        sa.update(CampaignDeployment)
        .where(
            CampaignDeployment.id == campaign.id,
            CampaignDeployment.version == version,
            CampaignDeployment.status == old_status,
            CampaignDeployment.deleted_at.is_(None),
        )
        .values(
            status=new_status, version=version + 1, updated_at=now, **(values or {})
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict("Someone else changed this campaign at the same time: reload.")
    session.expire(campaign)
    return Moved(campaign.id, action, old_status, new_status, version + 1)
