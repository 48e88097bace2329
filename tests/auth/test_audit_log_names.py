"""The audit log reads newest first by time and names its targets (e-mail, campaign name)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from data.filters import DateRange
from data.models import AuditLog, CampaignDeployment, Organization, User
from data.scope import Scope
from data.writes.audit import AuditFilters, audit_entries, audit_target_names

OCTOBER = AuditFilters(DateRange(dt.date(2026, 10, 1), dt.date(2026, 10, 31)))


def _world(session):
    org, other = Organization(slug="n", name="N Co"), Organization(slug="o", name="O")
    session.add_all([org, other])
    session.flush()
    ann = User(
        organization_id=org.id,
        email="ann@n.test",
        name="Ann",
        role="admin",
        password_hash="x",
    )
    outsider = User(
        organization_id=other.id,
        email="x@o.test",
        name="X",
        role="admin",
        password_hash="x",
    )
    spring = CampaignDeployment(
        organization_id=org.id,
        name="Spring sale",
        status="active",
        budget_daily=Decimal(10),
    )
    session.add_all([ann, outsider, spring])
    session.flush()
    return org, ann, outsider, spring


def _log(session, org, action, target_type, target_id, day):
    session.add(
        AuditLog(
            organization_id=org.id,
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            created_at=dt.datetime(2026, 10, day, 9, tzinfo=dt.UTC),
        )
    )
    session.flush()


def test_entries_are_newest_first_by_time_even_when_ids_disagree(session):
    org, ann, _, spring = _world(session)
    _log(session, org, "role_changed", "user", ann.id, 5)
    _log(session, org, "campaign_paused", "campaign", spring.id, 9)
    _log(
        session, org, "user_created", "user", ann.id, 2
    )  # backfilled: newest id, oldest
    frame, _ = audit_entries(session, Scope(org.id, "admin"), OCTOBER, 0, 50)
    assert frame["action"].tolist() == [
        "campaign_paused",
        "role_changed",
        "user_created",
    ]


def test_targets_are_named_by_e_mail_and_campaign_name_in_the_organization_only(
    session,
):
    org, ann, outsider, spring = _world(session)
    _log(session, org, "role_changed", "user", ann.id, 5)
    _log(session, org, "campaign_paused", "campaign", spring.id, 6)
    _log(
        session, org, "user_created", "user", outsider.id, 7
    )  # not this organization's
    _log(session, org, "fee_rate_changed", "organization", org.id, 8)
    scope = Scope(org.id, "admin")
    frame, _ = audit_entries(session, scope, OCTOBER, 0, 50)
    assert audit_target_names(session, scope, frame) == {
        ("user", str(ann.id)): "ann@n.test",
        ("campaign", str(spring.id)): "Spring sale",
        ("organization", str(org.id)): "N Co",
    }
