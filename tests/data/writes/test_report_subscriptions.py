"""Report subscriptions' writes: every refusal names its field and writes nothing; relative
ranges stay relative; owners, admins and other organizations; pause, reassign; audit rows."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from data.campaign_rules import InvalidField
from data.errors import Conflict, NotFound
from data.models import (
    AuditLog,
    CampaignDeployment,
    OrganizationSettings,
    ReportRecipient,
    ReportSubscription,
    User,
)
from data.reads.reports import report_subscriptions
from data.reports.rules import resolved_params
from data.scope import PermissionDenied
from data.writes.organizations import set_time_zone
from data.writes.report_subscriptions import (
    create_subscription,
    delete_subscription,
    edit_subscription,
    reassign_subscription,
    set_paused,
)
from tests.data.lifecycle.conftest import make_org

NOW = dt.datetime(2026, 12, 7, 7, 0, tzinfo=dt.UTC)  # a Monday, 08:00 in Berlin


@pytest.fixture
def orgs(session):
    return make_org(session, "rp"), make_org(session, "rq")


def body(org, **changes) -> dict:
    raw = {
        "name": "Weekly campaigns",
        "view": "campaigns",
        "range": "last_7",
        "frequency": "weekly",
        "weekday": 0,
        "hour": 9,
        "recipient_ids": [org["analyst"].user_id, org["viewer"].user_id],
    }
    raw.update(changes)
    return raw


def count(session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_create_keeps_the_range_relative_and_is_due_at_its_next_slot(session, orgs):
    org, _ = orgs
    session.execute(
        sa.update(OrganizationSettings)
        .where(OrganizationSettings.organization_id == org["org_id"])
        .values(time_zone="Europe/Berlin")
    )
    made = create_subscription(session, org["analyst"], body(org), now=NOW)
    assert made.params == {"range": "last_7"}
    assert made.next_run_at == dt.datetime(2026, 12, 7, 8, tzinfo=dt.UTC)  # 09:00 CET
    assert made.owner_id == org["analyst"].user_id
    assert resolved_params(made.params, dt.date(2026, 12, 7)) == {
        "start": "2026-12-01",
        "end": "2026-12-07",
    }
    audit = session.scalars(
        sa.select(AuditLog.action).where(AuditLog.organization_id == org["org_id"])
    ).all()
    assert "report.create" in audit


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"view": "funnel"}, "view"),
        ({"hour": 24}, "hour"),
        ({"hour": -1}, "hour"),
        ({"hour": "nine"}, "hour"),
        ({"weekday": 9}, "weekday"),
        ({"frequency": "hourly"}, "frequency"),
        ({"frequency": "monthly", "month_day": 29}, "month_day"),
        ({"frequency": "monthly", "month_day": 0}, "month_day"),
        ({"recipient_ids": []}, "recipient_ids"),
        ({"recipient_ids": ["x"]}, "recipient_ids"),
        ({"name": ""}, "name"),
        ({"range": "last_year"}, "range"),
        ({"range": "custom", "start": "2026-12-09", "end": "2026-12-01"}, "range"),
        ({"view": "campaign", "campaign_id": None}, "campaign_id"),
        ({"platform": ["myspace"]}, "filters"),
        ({"view": "overview", "granularity": "hour"}, "filters"),
    ],
)
def test_bad_input_names_its_field_and_writes_nothing(session, orgs, changes, field):
    org, _ = orgs
    before = count(session, ReportSubscription), count(session, AuditLog)
    with pytest.raises(InvalidField) as caught:
        create_subscription(session, org["analyst"], body(org, **changes), now=NOW)
    assert caught.value.field == field
    assert (count(session, ReportSubscription), count(session, AuditLog)) == before


def test_a_recipient_or_campaign_of_another_organization_is_refused(session, orgs):
    org, other = orgs
    with pytest.raises(InvalidField) as caught:
        create_subscription(
            session, org["analyst"],
            body(org, recipient_ids=[other["analyst"].user_id]), now=NOW,
        )  # fmt: skip
    assert caught.value.field == "recipient_ids"
    theirs = CampaignDeployment(organization_id=other["org_id"], name="Theirs")
    session.add(theirs)
    session.flush()
    with pytest.raises(InvalidField) as caught:
        create_subscription(
            session, org["analyst"],
            body(org, view="campaign", campaign_id=theirs.id), now=NOW,
        )  # fmt: skip
    assert caught.value.field == "campaign_id"


def test_a_deactivated_user_cannot_be_chosen(session, orgs):
    org, _ = orgs
    session.execute(
        sa.update(User).where(User.id == org["viewer"].user_id).values(is_active=False)
    )
    with pytest.raises(InvalidField):
        create_subscription(session, org["analyst"], body(org), now=NOW)


def test_viewers_cannot_subscribe(session, orgs):
    org, _ = orgs
    with pytest.raises(PermissionDenied):
        create_subscription(session, org["viewer"], body(org), now=NOW)


def test_owners_manage_their_own_admins_any_others_none(session, orgs):
    org, other = orgs
    made = create_subscription(session, org["analyst"], body(org), now=NOW)
    with pytest.raises(NotFound):
        edit_subscription(session, org["analyst2"], made.id, body(org), now=NOW)
    with pytest.raises(NotFound):
        set_paused(session, other["admin"], made.id, True)
    assert report_subscriptions(session, org["analyst2"]).empty
    assert list(report_subscriptions(session, org["admin"])["subscription_id"]) == [
        made.id
    ]
    edited = edit_subscription(
        session, org["admin"], made.id,
        body(org, frequency="monthly", month_day="last", hour=6), version=1, now=NOW,
    )  # fmt: skip
    assert (edited.frequency, edited.month_day, edited.version) == ("monthly", -1, 2)
    assert edited.next_run_at == dt.datetime(2026, 12, 31, 6, tzinfo=dt.UTC)
    with pytest.raises(Conflict):
        edit_subscription(session, org["analyst"], made.id, body(org), version=1)


def test_pause_resume_reassign_and_delete(session, orgs):
    org, _ = orgs
    made = create_subscription(session, org["analyst"], body(org), now=NOW)
    set_paused(session, org["analyst"], made.id, True)
    assert made.paused
    later = NOW + dt.timedelta(days=20)
    set_paused(session, org["analyst"], made.id, False, now=later)
    assert made.next_run_at > later  # the slots missed while paused are not sent
    with pytest.raises(PermissionDenied):
        reassign_subscription(session, org["analyst"], made.id, org["analyst2"].user_id)
    with pytest.raises(InvalidField):  # a viewer cannot own one
        reassign_subscription(session, org["admin"], made.id, org["viewer"].user_id)
    reassign_subscription(session, org["admin"], made.id, org["analyst2"].user_id)
    assert made.owner_id == org["analyst2"].user_id
    delete_subscription(session, org["admin"], made.id)
    assert session.get(ReportSubscription, made.id) is None
    assert not session.scalar(
        sa.select(sa.func.count())
        .select_from(ReportRecipient)
        .where(ReportRecipient.subscription_id == made.id)
    )


def test_a_removed_owner_shows_as_owner_left_to_admins(session, orgs):
    org, _ = orgs
    made = create_subscription(session, org["analyst"], body(org), now=NOW)
    session.execute(
        sa.update(User).where(User.id == org["analyst"].user_id).values(is_active=False)
    )
    frame = report_subscriptions(session, org["admin"])
    assert frame.set_index("subscription_id").loc[made.id, "owner_left"]
    # The deactivated recipient is no longer listed; the viewer still is.
    assert frame.iloc[0]["recipient_ids"] == [org["viewer"].user_id]


def test_a_new_organization_time_zone_moves_each_subscription_to_its_hour_there(
    session, orgs
):
    """Daily at 09:00 made in UTC; the admin moves the organization to Tokyo: the next run is
    the next 09:00 in Tokyo (00:00 UTC), not 09:00 UTC (18:00 in Tokyo)."""
    org, _ = orgs
    made = create_subscription(
        session, org["analyst"], body(org, frequency="daily", weekday=None)
    )
    set_time_zone(session, org["admin"], "Asia/Tokyo")
    session.flush()
    session.refresh(made)
    tokyo = ZoneInfo("Asia/Tokyo")
    now = dt.datetime.now(tokyo)
    nine = now.replace(hour=9, minute=0, second=0, microsecond=0)
    expected = nine if nine > now else nine + dt.timedelta(days=1)
    due = made.next_run_at.replace(tzinfo=made.next_run_at.tzinfo or dt.UTC)
    assert due == expected
    assert due.astimezone(tokyo).hour == 9
