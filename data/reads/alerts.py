"""Alert rules as the /alerts page shows them, their firing episodes, the organization's webhook
endpoints, and the choices a rule's form offers (campaigns and people)."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.errors import row_id
from data.models import (
    AlertEpisode,
    AlertRule,
    CampaignDeployment,
    User,
    WebhookEndpoint,
)
from data.scope import Scope

RULE_COLUMNS = [
    "rule_id", "name", "condition", "target", "platform", "campaign_id", "campaign_name",
    "threshold", "window_days", "min_spend", "for_minutes", "reminder_hours", "channels",
    "recipient_ids", "is_active", "state", "snoozed_until", "breached_since",
    "last_evaluated_at", "last_value", "last_message", "version",
]  # fmt: skip
EPISODE_COLUMNS = [
    "episode_id", "breached_since", "fired_at", "fired_value", "resolved_at",
    "resolved_value", "reminders_sent", "condition",
]  # fmt: skip
ENDPOINT_COLUMNS = ["endpoint_id", "url", "description", "is_active", "created_at"]
MAX_EPISODES = 50


def alert_rules(session: Session, scope: Scope) -> pd.DataFrame:
    """The organization's rules, firing first, then by name. Columns RULE_COLUMNS; times UTC;
    threshold, min_spend and last_value Decimal (None: no value)."""
    state_order = sa.case(
        {"firing": 0, "error": 1, "pending": 2, "snoozed": 3, "resolved": 4},
        value=AlertRule.state,
        else_=5,
    )
    rows = session.execute(
        sa.select(
            AlertRule.id,
            AlertRule.name,
            AlertRule.condition,
            AlertRule.target,
            AlertRule.platform,
            AlertRule.campaign_id,
            CampaignDeployment.name,
            AlertRule.threshold,
            AlertRule.window_days,
            AlertRule.min_spend,
            AlertRule.for_minutes,
            AlertRule.reminder_hours,
            AlertRule.channels,
            AlertRule.recipient_ids,
            AlertRule.is_active,
            AlertRule.state,
            AlertRule.snoozed_until,
            AlertRule.breached_since,
            AlertRule.last_evaluated_at,
            AlertRule.last_value,
            AlertRule.last_message,
            AlertRule.version,
        )
        .outerjoin(CampaignDeployment, CampaignDeployment.id == AlertRule.campaign_id)
        .where(AlertRule.organization_id == scope.organization_id)
        .order_by(state_order, AlertRule.name, AlertRule.id)
    ).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=RULE_COLUMNS)


def alert_episodes(session: Session, scope: Scope, rule_id) -> pd.DataFrame:
    """A rule's firing episodes, newest first (the last MAX_EPISODES). Columns EPISODE_COLUMNS."""
    number = row_id(rule_id, "No such alert rule.")
    rows = session.execute(
        sa.select(
            AlertEpisode.id,
            AlertEpisode.breached_since,
            AlertEpisode.fired_at,
            AlertEpisode.fired_value,
            AlertEpisode.resolved_at,
            AlertEpisode.resolved_value,
            AlertEpisode.reminders_sent,
            AlertRule.condition,
        )
        .join(AlertRule, AlertRule.id == AlertEpisode.rule_id)
        .where(
            AlertEpisode.rule_id == number,
            AlertEpisode.organization_id == scope.organization_id,
        )
        .order_by(AlertEpisode.id.desc())
        .limit(MAX_EPISODES)
    ).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=EPISODE_COLUMNS)


def rule_choices(session: Session, scope: Scope) -> dict[str, list[tuple[int, str]]]:
    """What a rule may watch and tell: {"campaigns": [(id, name)], "people": [(id, name)]}."""
    campaigns = session.execute(
        sa.select(CampaignDeployment.id, CampaignDeployment.name)
        .where(
            CampaignDeployment.organization_id == scope.organization_id,
            CampaignDeployment.deleted_at.is_(None),
        )
        .order_by(CampaignDeployment.name, CampaignDeployment.id)
    ).all()
    people = session.execute(
        sa.select(User.id, User.name, User.email)
        .where(User.organization_id == scope.organization_id, User.is_active.is_(True))
        .order_by(User.name, User.id)
    ).all()
    return {
        "campaigns": [(row.id, row.name) for row in campaigns],
        "people": [(row.id, row.name or row.email) for row in people],
    }


def webhook_endpoints(session: Session, scope: Scope) -> pd.DataFrame:
    """The organization's webhook endpoints (admins), newest first. Columns ENDPOINT_COLUMNS;
    never the secret."""
    scope.require("admin")
    rows = session.execute(
        sa.select(
            WebhookEndpoint.id,
            WebhookEndpoint.url,
            WebhookEndpoint.description,
            WebhookEndpoint.is_active,
            WebhookEndpoint.created_at,
        )
        .where(WebhookEndpoint.organization_id == scope.organization_id)
        .order_by(WebhookEndpoint.id.desc())
    ).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=ENDPOINT_COLUMNS)
