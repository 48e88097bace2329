"""Report subscriptions as the /reports page shows them (an analyst's own, every one for admins),
a subscription's runs, and the choices its form offers (people, campaigns, owners)."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.errors import NotFound, row_id
from data.models import (
    CampaignDeployment,
    ReportRecipient,
    ReportRun,
    ReportSubscription,
    User,
)
from data.reads.alerts import rule_choices
from data.scope import Scope

SUBSCRIPTION_COLUMNS = [
    "subscription_id", "name", "view", "campaign_id", "campaign_name", "params",
    "frequency", "weekday", "month_day", "hour", "include_csv", "paused", "next_run_at",
    "owner_id", "owner_name", "owner_left", "recipient_ids", "recipient_names",
    "last_outcome", "last_run_at", "version",
]  # fmt: skip
RUN_COLUMNS = [
    "run_id", "due_at", "trigger", "outcome", "message", "recipients", "started_at",
    "finished_at",
]  # fmt: skip
MAX_RUNS = 20


def report_subscriptions(session: Session, scope: Scope) -> pd.DataFrame:
    """The caller's subscriptions (admins: all of the organization), by name. Columns
    SUBSCRIPTION_COLUMNS; ``owner_left`` is True when the owner was removed, deactivated or is
    no longer an analyst (the job skips it); ``recipient_ids`` and ``recipient_names`` list the
    recipients still active; ``last_outcome`` None before the first run; times UTC."""
    s = ReportSubscription
    owner = sa.orm.aliased(User)
    query = (
        sa.select(
            s.id,
            s.name,
            s.view,
            s.campaign_id,
            CampaignDeployment.name,
            s.params,
            s.frequency,
            s.weekday,
            s.month_day,
            s.hour,
            s.include_csv,
            s.paused,
            s.next_run_at,
            s.owner_id,
            owner.name,
            owner.is_active,
            owner.role,
            s.version,
        )
        .outerjoin(owner, owner.id == s.owner_id)
        .outerjoin(CampaignDeployment, CampaignDeployment.id == s.campaign_id)
        .where(s.organization_id == scope.organization_id)
        .order_by(s.name, s.id)
    )
    if not scope.allows("admin"):
        query = query.where(s.owner_id == scope.user_id)
    rows = session.execute(query).all()
    ids = [row[0] for row in rows]
    people: dict[int, list[tuple[int, str]]] = {i: [] for i in ids}
    for sub_id, user_id, name in session.execute(
        sa.select(ReportRecipient.subscription_id, User.id, User.name)
        .join(User, User.id == ReportRecipient.user_id)
        .where(ReportRecipient.subscription_id.in_(ids), User.is_active.is_(True))
        .order_by(User.name, User.id)
    ):
        people[sub_id].append((user_id, name))
    last: dict[int, tuple] = {}
    latest = (
        sa.select(ReportRun.subscription_id, sa.func.max(ReportRun.id).label("run_id"))
        .where(ReportRun.subscription_id.in_(ids))
        .group_by(ReportRun.subscription_id)
        .subquery()
    )
    for sub_id, outcome, started in session.execute(
        sa.select(
            ReportRun.subscription_id, ReportRun.outcome, ReportRun.started_at
        ).join(latest, latest.c.run_id == ReportRun.id)
    ):
        last[sub_id] = (outcome, started)
    records = []
    for row in rows:
        (sub_id, name, view, campaign_id, campaign_name, params, frequency, weekday,
         month_day, hour, include_csv, paused, next_run_at, owner_id, owner_name,
         owner_active, owner_role, version) = row  # fmt: skip
        owner_left = (
            owner_id is None
            or not owner_active
            or owner_role not in ("analyst", "admin")
        )
        outcome, started = last.get(sub_id, (None, None))
        records.append([
            sub_id, name, view, campaign_id, campaign_name, params, frequency, weekday,
            month_day, hour, bool(include_csv), bool(paused), next_run_at, owner_id,
            owner_name, owner_left, [p[0] for p in people[sub_id]],
            [p[1] for p in people[sub_id]], outcome, started, version,
        ])  # fmt: skip
    return pd.DataFrame(records, columns=SUBSCRIPTION_COLUMNS)


def report_runs(session: Session, scope: Scope, subscription_id) -> pd.DataFrame:
    """A subscription's last MAX_RUNS runs, newest first (its owner, or an admin). Columns
    RUN_COLUMNS; NotFound for a subscription the caller may not see."""
    number = row_id(subscription_id, "No such report subscription.")
    query = sa.select(ReportSubscription.id).where(
        ReportSubscription.id == number,
        ReportSubscription.organization_id == scope.organization_id,
    )
    if not scope.allows("admin"):
        query = query.where(ReportSubscription.owner_id == scope.user_id)
    if session.scalar(query) is None:
        raise NotFound("No such report subscription.")
    r = ReportRun
    rows = session.execute(
        sa.select(
            r.id,
            r.due_at,
            r.trigger,
            r.outcome,
            r.message,
            r.recipients,
            r.started_at,
            r.finished_at,
        )
        .where(r.subscription_id == number)
        .order_by(r.id.desc())
        .limit(MAX_RUNS)
    ).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=RUN_COLUMNS)


def report_choices(session: Session, scope: Scope) -> dict[str, list[tuple[int, str]]]:
    """The form's choices: data/reads/alerts.py rule_choices ("people": active users,
    "campaigns") plus "owners": the active analysts and admins a subscription may pass to."""
    choices = rule_choices(session, scope)
    owners = session.execute(
        sa.select(User.id, User.name, User.email)
        .where(
            User.organization_id == scope.organization_id,
            User.is_active.is_(True),
            User.role.in_(("analyst", "admin")),
        )
        .order_by(User.name, User.id)
    ).all()
    return {**choices, "owners": [(row.id, row.name or row.email) for row in owners]}
