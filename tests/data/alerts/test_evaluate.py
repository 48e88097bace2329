"""data/alerts/evaluate.py on both backends: the sums a rule reads (window days, its target),
the state machine (pending for N minutes, firing, reminders, resolved, snoozed, error, no
value), the deliveries each event writes under its dedupe key, and the lease's compare-and-set."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.alerts.evaluate import claim_rules, evaluate_claimed, evaluate_due
from data.models import (
    AlertEpisode,
    AlertRule,
    CampaignDeployment,
    Notification,
    OrganizationSettings,
    OutboxEntry,
    PerformanceMetric,
    PlatformDeployment,
)
from tests.data.alerts.conftest import (
    add_endpoint,
    add_metrics,
    add_rule,
    make_due,
    make_org,
)

# 10:00 UTC on Nov 10: the window of 7 complete days is Nov 3-9.
NOW = dt.datetime(2026, 11, 10, 10, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
TODAY = NOW.date()


def rule_of(engine, rule_id) -> AlertRule:
    with Session(engine) as session:
        return session.get(AlertRule, rule_id)


def episodes(engine, rule_id) -> list:
    with Session(engine) as session:
        return list(
            session.scalars(
                sa.select(AlertEpisode)
                .where(AlertEpisode.rule_id == rule_id)
                .order_by(AlertEpisode.id)
            )
        )


def notifications(engine, org) -> list:
    with Session(engine) as session:
        return list(
            session.execute(
                sa.select(
                    Notification.kind, Notification.user_id, Notification.dedupe_key
                )
                .where(Notification.organization_id == org["org_id"])
                .order_by(Notification.id)
            )
        )


def outbox_keys(engine, org) -> list:
    with Session(engine) as session:
        return list(
            session.scalars(
                sa.select(OutboxEntry.dedupe_key)
                .where(OutboxEntry.organization_id == org["org_id"])
                .order_by(OutboxEntry.id)
            )
        )


def run(make_session, now):
    return evaluate_due(make_session, now=now)


def test_the_window_is_the_last_complete_days(alerts_engine, make_session):
    org = make_org(alerts_engine)
    # In the window (Nov 3 and Nov 9): spend 100, revenue 150 -> ROAS 1.5 < 2.
    add_metrics(alerts_engine, org, TODAY - 7 * DAY, spend="50", revenue="75")
    add_metrics(alerts_engine, org, TODAY - DAY, spend="50", revenue="75")
    # Outside it: today (partial) and Nov 2 would lift ROAS above 2 if counted.
    add_metrics(alerts_engine, org, TODAY, spend="1", revenue="1000")
    add_metrics(alerts_engine, org, TODAY - 8 * DAY, spend="1", revenue="1000")
    rule_id = add_rule(alerts_engine, org)
    run(make_session, NOW)
    rule = rule_of(alerts_engine, rule_id)
    assert rule.last_value == D("1.5000")
    assert rule.state == "firing"


def test_targets_count_their_own_rows(alerts_engine, make_session):
    org = make_org(alerts_engine)
    other = make_org(alerts_engine)
    yesterday = TODAY - DAY
    add_metrics(
        alerts_engine, org, yesterday, spend="100", revenue="100", platform="meta"
    )
    add_metrics(
        alerts_engine, org, yesterday, spend="100", revenue="500", platform="google"
    )
    add_metrics(alerts_engine, other, yesterday, spend="100", revenue="9000")
    whole = add_rule(alerts_engine, org)  # (100 + 500) / 200 = 3
    meta = add_rule(alerts_engine, org, target="platform", platform="meta")  # 1
    campaign = add_rule(
        alerts_engine, org, target="campaign", campaign_id=org["campaign_id"]
    )  # the campaign runs on both: 3
    run(make_session, NOW)
    assert rule_of(alerts_engine, whole).last_value == D("3.0000")
    assert rule_of(alerts_engine, meta).last_value == D("1.0000")
    assert rule_of(alerts_engine, campaign).last_value == D("3.0000")


def test_firing_writes_one_delivery_per_channel_under_its_key(
    alerts_engine, make_session
):
    org = make_org(alerts_engine)
    endpoints = [
        add_endpoint(alerts_engine, org, f"http://127.0.0.1:9/{n}") for n in (1, 2)
    ]
    add_metrics(alerts_engine, org, TODAY - DAY, spend="100", revenue="150")
    rule_id = add_rule(alerts_engine, org)
    run(make_session, NOW)
    (episode,) = episodes(alerts_engine, rule_id)
    assert episode.fired_value == D("1.5000") and episode.resolved_at is None
    key = f"alert:{episode.id}:firing"
    assert notifications(alerts_engine, org) == [
        ("alert_firing", uid, f"{key}:{uid}") for uid in org["users"]
    ]
    assert outbox_keys(alerts_engine, org) == [
        f"{key}:email",
        *(f"{key}:webhook:{endpoint}" for endpoint in endpoints),
    ]
    # Evaluated again while still breached: nothing new (no reminders set).
    run(make_session, NOW + dt.timedelta(minutes=5))
    assert len(notifications(alerts_engine, org)) == 2
    assert len(outbox_keys(alerts_engine, org)) == 3
    # The database refuses a second copy of a delivery, whatever wrote it.
    with Session(alerts_engine) as session, pytest.raises(sa.exc.IntegrityError):
        session.add(
            Notification(
                organization_id=org["org_id"],
                user_id=org["users"][0],
                kind="alert_firing",
                title="again",
                dedupe_key=f"{key}:{org['users'][0]}",
            )
        )
        session.commit()


def test_pending_for_its_minutes_then_firing(alerts_engine, make_session):
    org = make_org(alerts_engine)
    add_metrics(alerts_engine, org, TODAY - DAY, spend="100", revenue="150")
    rule_id = add_rule(alerts_engine, org, for_minutes=10, channels=["in_app"])
    run(make_session, NOW)
    rule = rule_of(alerts_engine, rule_id)
    assert rule.state == "pending" and not episodes(alerts_engine, rule_id)
    # Due at the next sweep (5 minutes), which comes before its 10 minutes end.
    assert rule.next_due_at.replace(tzinfo=dt.UTC) == NOW + dt.timedelta(minutes=5)
    run(make_session, NOW + dt.timedelta(minutes=9, seconds=59))
    assert rule_of(alerts_engine, rule_id).state == "pending"
    assert not notifications(alerts_engine, org)
    run(make_session, NOW + dt.timedelta(minutes=10))  # breached for exactly 10 minutes
    assert rule_of(alerts_engine, rule_id).state == "firing"
    (episode,) = episodes(alerts_engine, rule_id)
    assert episode.breached_since.replace(tzinfo=dt.UTC) == NOW


def test_pending_that_clears_never_fires(alerts_engine, make_session):
    org = make_org(alerts_engine)
    add_metrics(alerts_engine, org, TODAY - DAY, spend="100", revenue="150")
    rule_id = add_rule(alerts_engine, org, for_minutes=10, channels=["in_app"])
    run(make_session, NOW)
    add_metrics(alerts_engine, org, TODAY - DAY, spend="100", revenue="250")  # revised
    run(make_session, NOW + dt.timedelta(minutes=10))
    rule = rule_of(alerts_engine, rule_id)
    assert (rule.state, rule.breached_since) == ("ok", None)
    assert not episodes(alerts_engine, rule_id) and not notifications(
        alerts_engine, org
    )


def test_reminders_then_resolved(alerts_engine, make_session):
    org = make_org(alerts_engine, people=("analyst",))
    add_metrics(alerts_engine, org, TODAY - DAY, spend="100", revenue="150")
    rule_id = add_rule(
        alerts_engine, org, reminder_hours=2, channels=["in_app", "email"]
    )
    run(make_session, NOW)
    run(make_session, NOW + dt.timedelta(hours=1, minutes=59))
    assert [n.kind for n in notifications(alerts_engine, org)] == ["alert_firing"]
    run(make_session, NOW + dt.timedelta(hours=2))
    run(make_session, NOW + dt.timedelta(hours=4))
    add_metrics(alerts_engine, org, TODAY - DAY, spend="100", revenue="300")
    run(make_session, NOW + dt.timedelta(hours=4, minutes=5))
    (episode,) = episodes(alerts_engine, rule_id)
    assert episode.reminders_sent == 2
    assert episode.resolved_value == D("3.0000")
    key = f"alert:{episode.id}"
    user = org["users"][0]
    assert notifications(alerts_engine, org) == [
        ("alert_firing", user, f"{key}:firing:{user}"),
        ("alert_reminder", user, f"{key}:reminder1:{user}"),
        ("alert_reminder", user, f"{key}:reminder2:{user}"),
        ("alert_resolved", user, f"{key}:resolved:{user}"),
    ]
    assert outbox_keys(alerts_engine, org) == [
        f"{key}:{event}:email"
        for event in ("firing", "reminder1", "reminder2", "resolved")
    ]
    rule = rule_of(alerts_engine, rule_id)
    assert rule.state == "resolved" and rule.breached_since is None
    # A new breach is a new episode.
    add_metrics(alerts_engine, org, TODAY - DAY, spend="100", revenue="100")
    run(make_session, NOW + dt.timedelta(hours=5))
    assert len(episodes(alerts_engine, rule_id)) == 2


def test_snoozed_rules_are_evaluated_but_tell_no_one(alerts_engine, make_session):
    org = make_org(alerts_engine)
    add_metrics(alerts_engine, org, TODAY - DAY, spend="100", revenue="150")
    until = NOW + dt.timedelta(hours=1)
    rule_id = add_rule(alerts_engine, org, snoozed_until=until)
    run(make_session, NOW)
    rule = rule_of(alerts_engine, rule_id)
    assert (rule.state, rule.last_value) == ("snoozed", D("1.5000"))
    assert not episodes(alerts_engine, rule_id) and not notifications(
        alerts_engine, org
    )
    assert not outbox_keys(alerts_engine, org)
    run(make_session, until)  # the snooze has ended: still breached, it fires
    assert rule_of(alerts_engine, rule_id).state == "firing"
    assert len(episodes(alerts_engine, rule_id)) == 1
    assert len(notifications(alerts_engine, org)) == 2


def test_a_firing_rule_snoozed_resolves_silently(alerts_engine, make_session):
    org = make_org(alerts_engine)
    add_metrics(alerts_engine, org, TODAY - DAY, spend="100", revenue="150")
    rule_id = add_rule(alerts_engine, org, channels=["in_app"])
    run(make_session, NOW)
    with Session(alerts_engine) as session:
        session.get(AlertRule, rule_id).snoozed_until = NOW + dt.timedelta(days=1)
        session.commit()
    add_metrics(alerts_engine, org, TODAY - DAY, spend="100", revenue="300")
    run(make_session, NOW + dt.timedelta(minutes=5))
    (episode,) = episodes(alerts_engine, rule_id)
    assert episode.resolved_at is not None
    assert [n.kind for n in notifications(alerts_engine, org)] == ["alert_firing"] * 2
    assert rule_of(alerts_engine, rule_id).state == "snoozed"


def test_no_value_is_not_a_breach_and_ends_one(alerts_engine, make_session):
    org = make_org(alerts_engine)
    rule_id = add_rule(alerts_engine, org, channels=["in_app"])
    run(make_session, NOW)  # no rows at all: no spend in the window
    rule = rule_of(alerts_engine, rule_id)
    assert (rule.state, rule.last_value) == ("ok", None)
    assert rule.last_message == "no value: no spend in the window"
    add_metrics(alerts_engine, org, TODAY - DAY, spend="100", revenue="150")
    run(make_session, NOW + dt.timedelta(minutes=5))
    assert rule_of(alerts_engine, rule_id).state == "firing"
    add_metrics(alerts_engine, org, TODAY - DAY, spend="0", revenue="150")
    run(make_session, NOW + dt.timedelta(minutes=10))
    rule = rule_of(alerts_engine, rule_id)
    assert (rule.state, rule.last_value) == ("resolved", None)
    assert rule.last_message.startswith("no value:")


def test_an_evaluation_that_fails_is_the_error_state(alerts_engine, make_session):
    org = make_org(alerts_engine)
    rule_id = add_rule(
        alerts_engine, org, target="campaign", campaign_id=org["campaign_id"]
    )
    with Session(alerts_engine) as session:
        campaign = session.get(CampaignDeployment, org["campaign_id"])
        campaign.deleted_at = NOW
        session.commit()
    run(make_session, NOW)
    rule = rule_of(alerts_engine, rule_id)
    assert rule.state == "error"
    assert "LookupError" in rule.last_message and "deleted" in rule.last_message
    assert rule.last_evaluated_at is not None and rule.lease_until is None
    assert rule.next_due_at.replace(tzinfo=dt.UTC) == NOW + dt.timedelta(minutes=5)


def test_a_process_whose_lease_was_taken_over_writes_nothing(
    alerts_engine, make_session
):
    org = make_org(alerts_engine)
    add_metrics(alerts_engine, org, TODAY - DAY, spend="100", revenue="150")
    rule_id = add_rule(alerts_engine, org)
    with make_session() as session:
        (first,) = claim_rules(session, now=NOW)
    with make_session() as session:  # still leased: nobody else gets it
        assert claim_rules(session, now=NOW + dt.timedelta(seconds=59)) == []
    with make_session() as session:  # the lease ran out: another process takes over
        (second,) = claim_rules(session, now=NOW + dt.timedelta(seconds=61))
    assert second.rule_id == rule_id and second.token != first.token
    assert evaluate_claimed(make_session, first, now=NOW) is False
    assert not episodes(alerts_engine, rule_id) and not notifications(
        alerts_engine, org
    )
    assert rule_of(alerts_engine, rule_id).leased_by == second.token
    assert evaluate_claimed(make_session, second, now=NOW) is True
    assert len(episodes(alerts_engine, rule_id)) == 1
    assert len(notifications(alerts_engine, org)) == 2


def test_the_lease_length_is_the_apps_setting(alerts_app, alerts_engine, make_session):
    org = make_org(alerts_engine)
    add_rule(alerts_engine, org)
    with alerts_app.app_context():
        alerts_app.config["KIKI_ALERT_LEASE_SECONDS"] = 5
        try:
            with make_session() as session:
                (claim,) = claim_rules(session, now=NOW)
        finally:
            alerts_app.config["KIKI_ALERT_LEASE_SECONDS"] = 60
    assert claim.lease_until == NOW + dt.timedelta(seconds=5)
    with make_session() as session:  # outside an app: the default minute
        assert claim_rules(session, now=NOW + dt.timedelta(seconds=6))[
            0
        ].lease_until == (NOW + dt.timedelta(seconds=66))


def test_a_day_ends_at_the_organizations_midnight(alerts_engine, make_session):
    org = make_org(alerts_engine)
    add_metrics(alerts_engine, org, dt.date(2026, 11, 9), spend="100", revenue="150")
    rule_id = add_rule(alerts_engine, org, window_days=1, channels=[])
    midnight = dt.datetime(2026, 11, 10, tzinfo=dt.UTC)  # no settings row: UTC
    run(make_session, midnight - dt.timedelta(microseconds=1))  # Nov 9: window is Nov 8
    assert rule_of(alerts_engine, rule_id).last_value is None
    make_due(alerts_engine, [rule_id])
    run(make_session, midnight)  # Nov 10: the window is Nov 9, now complete
    assert rule_of(alerts_engine, rule_id).last_value == D("1.5000")


def test_a_day_ends_at_midnight_in_the_organizations_time_zone(
    alerts_engine, make_session
):
    """Tokyo is UTC+9: its Nov 10 starts at 15:00 UTC on Nov 9, so at 16:00 UTC on Nov 9 the
    one complete day behind it is Nov 9 (Tokyo), while a UTC organization is still on Nov 8."""
    tokyo, utc = make_org(alerts_engine), make_org(alerts_engine)
    with Session(alerts_engine) as session:
        session.add(
            OrganizationSettings(
                organization_id=tokyo["org_id"], time_zone="Asia/Tokyo"
            )
        )
        session.commit()
    for org in (tokyo, utc):
        add_metrics(
            alerts_engine, org, dt.date(2026, 11, 9), spend="100", revenue="150"
        )
    rules = {
        name: add_rule(alerts_engine, org, window_days=1, channels=[])
        for name, org in (("tokyo", tokyo), ("utc", utc))
    }
    run(make_session, dt.datetime(2026, 11, 9, 16, 0, tzinfo=dt.UTC))
    assert rule_of(alerts_engine, rules["tokyo"]).last_value == D("1.5000")
    assert rule_of(alerts_engine, rules["utc"]).last_value is None


def test_pacing_reads_budgets_and_spend(alerts_engine, make_session):
    org = make_org(alerts_engine)  # its campaign: daily budget 100, on meta and google
    add_metrics(alerts_engine, org, TODAY, spend="50", platform="meta")
    add_metrics(alerts_engine, org, TODAY, spend="35", platform="google")
    add_metrics(alerts_engine, org, TODAY - DAY, spend="999", platform="meta")
    with Session(alerts_engine) as session:  # a lifetime campaign, not on google
        lifetime = CampaignDeployment(
            organization_id=org["org_id"],
            name="Launch",
            status="active",
            budget_type="lifetime",
            budget_amount=D(3000),
            start_date=dt.date(2026, 11, 1),
            end_date=dt.date(2026, 11, 30),
        )
        session.add(lifetime)
        session.flush()
        deployment = PlatformDeployment(
            organization_id=org["org_id"], campaign_id=lifetime.id, platform="meta"
        )
        session.add(deployment)
        session.flush()
        for day, spend in ((dt.date(2026, 10, 31), "500"), (TODAY - DAY, "1100")):
            session.add(
                PerformanceMetric(
                    organization_id=org["org_id"], campaign_id=lifetime.id,
                    platform_deployment_id=deployment.id, platform="meta", date=day,
                    spend=D(spend),
                )
            )  # fmt: skip
        session.commit()
    pacing = {"condition": "pacing_above", "threshold": D(80), "channels": []}
    daily = add_rule(
        alerts_engine, org, target="campaign", campaign_id=org["campaign_id"], **pacing
    )
    google = add_rule(
        alerts_engine, org, target="platform", platform="google", **pacing
    )
    whole = add_rule(alerts_engine, org, **pacing)
    run(make_session, NOW)
    # The daily campaign: today's 50 + 35 of 100 = 85 %.
    assert rule_of(alerts_engine, daily).last_value == D("85.0000")
    # google: its campaigns (the daily one only), google's spend: 35 of 100 = 35 %.
    assert rule_of(alerts_engine, google).last_value == D("35.0000")
    # All: 85 of 100 today, plus 1,100 since Nov 1 (not Oct 31's 500) of 3,000 x 10/30 =
    # 1,000: (85 + 1,100) / (100 + 1,000) = 107.7272… %.
    assert rule_of(alerts_engine, whole).last_value == D("107.7273")
    assert rule_of(alerts_engine, whole).state == "firing"
