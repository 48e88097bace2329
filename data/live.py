"""Which organizations' data a transaction changed, by topic, announced after its commit.

data/effects.py installs these: the ORM objects flushed and the bulk statements executed name
their tables (and mostly their organization); after the commit, once the caches of those
organizations have been expired (data/cache.py:invalidate_committed runs first), each gets one
live event ``{id, topics}`` through the app's broker (data/live_broker.py). A statement whose
organization cannot be read from its parameters (the rollup's DELETE ... WHERE) counts for the
organizations the transaction marked for cache invalidation.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

from data.cache import INVALIDATED_KEY, current_breaker
from data.live_broker import make_broker

log = logging.getLogger(__name__)
EXTENSION = "kiki_live"
NOTED_KEY = "kiki_live_topics"  # session.info: {organization id or None: {topics}}

TOPIC_OF_TABLE = {
    "performance_metrics": "metrics",
    "daily_revenue_summary": "metrics",
    "campaign_deployments": "campaigns",
    "platformdeployments": "campaigns",
    "ad_copies": "campaigns",
    "image_prompts": "campaigns",
    "video_prompts": "campaigns",
    "user_assets": "campaigns",
    "budget_requests": "campaigns",
    "notifications": "notifications",
    "alert_rules": "alerts",
    "alert_episodes": "alerts",
}


def init_app(app: Flask) -> None:
    """The app's broker: Redis pub/sub when REDIS_URL is set, this process otherwise."""
    app.extensions[EXTENSION] = make_broker(
        app.config.get("REDIS_URL"), app.config.get("CACHE_KEY_PREFIX", "kiki:")
    )


def _note(session: Session, table_name: str | None, organization_id) -> None:
    topic = TOPIC_OF_TABLE.get(table_name or "")
    if topic is None:
        return
    key = organization_id if isinstance(organization_id, int) else None
    session.info.setdefault(NOTED_KEY, {}).setdefault(key, set()).add(topic)


def note_live_writes(session: Session, _flush_context) -> None:
    """after_flush: the topic and organization of every ORM object written."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__table__", None)
        _note(
            session, getattr(table, "name", None), getattr(obj, "organization_id", None)
        )


def note_live_statements(state) -> None:
    """do_orm_execute: a bulk INSERT, UPDATE or DELETE (its organization from its parameters)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name not in TOPIC_OF_TABLE:
        return
    params = state.parameters
    rows = params if isinstance(params, list) else [params or {}]
    organizations = {
        row.get("organization_id") for row in rows if isinstance(row, dict)
    }
    for organization_id in organizations or {None}:
        _note(state.session, name, organization_id)


def forget_live_writes(session: Session, *_args) -> None:
    """after_rollback: what was noted never happened."""
    session.info.pop(NOTED_KEY, None)


def publish_committed(session: Session) -> None:
    """after_commit, after the cache invalidation: one event per organization that changed."""
    noted = session.info.pop(NOTED_KEY, None)
    invalidated = session.info.pop(INVALIDATED_KEY, ())
    if not noted or not has_app_context():
        return
    broker = current_app.extensions.get(EXTENSION)
    if broker is None:
        return
    unplaced = noted.pop(None, set())
    by_organization = {org: set(topics) for org, topics in noted.items()}
    for organization_id in invalidated if unplaced else ():
        by_organization.setdefault(organization_id, set()).update(unplaced)
    breaker = current_breaker()
    if breaker is not None and not breaker.available():
        return  # Redis failed a moment ago: no commit waits for its timeout again
    for organization_id, topics in by_organization.items():
        try:
            broker.publish(organization_id, topics)
        except Exception as exc:  # noqa: BLE001 - the write stands; open pages miss one event
            log.warning(
                "live event of organization %s not sent: %s", organization_id, exc
            )
            if breaker is not None:
                breaker.failed(exc)
            return
