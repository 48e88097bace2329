"""Settings › Organization: admins only; the fee rate is validated, audited and changes nothing
when refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.db import make_engine
from data.models import (
    AlertRule,
    AuditLog,
    FeeRate,
    Organization,
    OrganizationSettings,
)
from tests.apps import call_callback, make_app, signed_in

PATH = "/settings/organization"


@pytest.fixture(scope="module")
def app(ops_world):
    return make_app(ops_world[0])


def _fee_and_audits(url: str, org_id: int) -> tuple[Decimal, int]:
    engine = make_engine(url)
    with Session(engine) as session:
        rate = session.get(Organization, org_id).fee_rate
        audits = session.scalar(
            sa.select(sa.func.count(AuditLog.id)).where(
                AuditLog.action == "fee_rate_changed",
                AuditLog.organization_id == org_id,
            )
        )
    engine.dispose()
    return Decimal(rate), audits


def _save(app, client, value):
    values = {"org-fee-save.n_clicks": 1, "org-fee.value": value, "org-changed.data": 3}
    return call_callback(app, client, "org-fee-message", values)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "abc",
        "101",
        "-1",
        "12.345",
        "NaN",
        "Infinity",
        "1e3",
        "9" * 40,
        None,
        True,
        "<script>alert(1)</script>",
        "5; DROP TABLE organizations",
        "２０",
    ],
)
def test_bad_fee_rates_get_a_message_and_change_nothing(app, ops_world, value):
    url, world = ops_world
    org_id = world["orgs"]["globex"]
    before = _fee_and_audits(url, org_id)
    response = _save(app, signed_in(app, "globex", "admin"), value)
    assert response.status_code == 200
    assert "Enter a fee rate from 0 to 100" in response.get_data(as_text=True)
    assert _fee_and_audits(url, org_id) == before


def test_a_valid_fee_rate_is_saved_with_its_audit_row(app, ops_world):
    url, world = ops_world
    org_id = world["orgs"]["globex"]
    old_rate, audits = _fee_and_audits(url, org_id)
    client = signed_in(app, "globex", "admin")
    response = _save(app, client, " 17.25 % ")
    assert "Fee rate saved" in response.get_data(as_text=True)
    assert response.json["response"]["org-changed"]["data"] == 4
    assert _fee_and_audits(url, org_id) == (Decimal("0.1725"), audits + 1)
    shown = call_callback(app, client, "org-fee.value", {"org-changed.data": 4})
    assert shown.json["response"]["org-fee"]["value"] == "17.25"
    engine = make_engine(url)
    with Session(engine) as session:
        entry = session.scalars(
            sa.select(AuditLog)
            .where(AuditLog.action == "fee_rate_changed")
            .order_by(AuditLog.id.desc())
        ).first()
        assert entry.details == {"from": str(old_rate), "to": "0.1725"}
        session.get(Organization, org_id).fee_rate = old_rate
        session.commit()
    engine.dispose()


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_only_admins_reach_the_page_and_its_callbacks(app, ops_world, role):
    url, world = ops_world
    client = signed_in(app, "acme", role)
    assert client.get(PATH).status_code == 403
    before = _fee_and_audits(url, world["orgs"]["acme"])
    assert _save(app, client, "50").status_code == 403
    assert (
        call_callback(app, client, "org-fee.value", {"org-changed.data": 0}).status_code
        == 403
    )
    assert _fee_and_audits(url, world["orgs"]["acme"]) == before
    assert signed_in(app, "acme", "admin").get(PATH).status_code == 200
    assert (
        app.server.test_client().get(PATH).status_code == 302
    )  # anonymous: sign in first


def test_a_fee_rate_with_a_decimal_comma_applies_from_the_chosen_date(app, ops_world):
    """ "20,5" from 1 Nov 2026: a history row from that day; today's rate is the new one."""
    url, world = ops_world
    org_id = world["orgs"]["globex"]
    old_rate, _ = _fee_and_audits(url, org_id)
    client = signed_in(app, "globex", "admin")
    values = {
        "org-fee-save.n_clicks": 1,
        "org-fee.value": "20,5",
        "org-fee-from.date": "2026-11-01",
        "org-changed.data": 3,
    }
    response = call_callback(app, client, "org-fee-message", values)
    assert "Fee rate saved" in response.get_data(as_text=True)
    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.scalars(
            sa.select(FeeRate)
            .where(FeeRate.organization_id == org_id)
            .order_by(FeeRate.effective_from)
        ).all()
        chosen = {r.effective_from: r.rate for r in rows}
        assert chosen[dt.date(2026, 11, 1)] == Decimal("0.2050")
        entry = session.scalars(
            sa.select(AuditLog)
            .where(AuditLog.action == "fee_rate_changed")
            .order_by(AuditLog.id.desc())
        ).first()
        assert entry.details["effective_from"] == "2026-11-01"
        for row in rows:
            session.delete(row)
        session.get(Organization, org_id).fee_rate = old_rate
        session.commit()
    engine.dispose()


def test_a_nonsense_effective_date_gets_a_message(app, ops_world):
    client = signed_in(app, "globex", "admin")
    values = {
        "org-fee-save.n_clicks": 1,
        "org-fee.value": "20",
        "org-fee-from.date": "yesterday-ish",
        "org-changed.data": 3,
    }
    response = call_callback(app, client, "org-fee-message", values)
    assert "Choose the date the new rate applies from" in response.get_data(
        as_text=True
    )


def _zone_and_audits(url: str, org_id: int) -> tuple[str | None, int]:
    engine = make_engine(url)
    with Session(engine) as session:
        zone = session.scalar(
            sa.select(OrganizationSettings.time_zone).where(
                OrganizationSettings.organization_id == org_id
            )
        )
        audits = session.scalar(
            sa.select(sa.func.count(AuditLog.id)).where(
                AuditLog.action == "time_zone_changed",
                AuditLog.organization_id == org_id,
            )
        )
    engine.dispose()
    return zone, audits


def _save_zone(app, client, name):
    values = {
        "org-zone-save.n_clicks": 1,
        "org-zone.value": name,
        "org-changed.data": 3,
    }
    return call_callback(app, client, "org-zone-message", values)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "Mars/Olympus_Mons",
        "europe/berlin",
        "../../etc/passwd",
        "UTC+2",
        None,
        7,
        ["UTC"],
    ],
)
def test_an_unknown_time_zone_gets_a_message_and_changes_nothing(app, ops_world, name):
    url, world = ops_world
    org_id = world["orgs"]["globex"]
    before = _zone_and_audits(url, org_id)
    response = _save_zone(app, signed_in(app, "globex", "admin"), name)
    assert response.status_code < 500
    if response.status_code == 200:
        assert "Choose a time zone from the list" in response.get_data(as_text=True)
    assert _zone_and_audits(url, org_id) == before


def test_a_time_zone_is_saved_audited_shown_and_its_rules_made_due(app, ops_world):
    url, world = ops_world
    org_id = world["orgs"]["globex"]
    _, audits = _zone_and_audits(url, org_id)
    engine = make_engine(url)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    with Session(engine) as session:  # a rule not due until tomorrow
        rule = AlertRule(
            organization_id=org_id, name="ROAS", condition="roas_below",
            target="organization", threshold=Decimal(2), window_days=7, for_minutes=0,
            channels=["in_app"], recipient_ids=[], next_due_at=later,
        )  # fmt: skip
        session.add(rule)
        session.commit()
        rule_id = rule.id
    client = signed_in(app, "globex", "admin")
    started = dt.datetime.now(dt.UTC)
    response = _save_zone(app, client, "Europe/Berlin")
    message = response.json["response"]["org-zone-message"]["children"]["props"]
    assert message["children"] == "Time zone set to Europe/Berlin."
    assert _zone_and_audits(url, org_id) == ("Europe/Berlin", audits + 1)
    shown = call_callback(app, client, "org-zone.value", {"org-changed.data": 4})
    assert shown.json["response"]["org-zone"]["value"] == "Europe/Berlin"
    # the same zone again is no change: no second audit row
    _save_zone(app, client, "Europe/Berlin")
    assert _zone_and_audits(url, org_id) == ("Europe/Berlin", audits + 1)
    with Session(engine) as session:
        due = session.get(AlertRule, rule_id).next_due_at
        assert due.replace(tzinfo=due.tzinfo or dt.UTC) <= started + dt.timedelta(
            seconds=5
        )  # due now: its days are counted in the new zone at once
        session.delete(session.get(AlertRule, rule_id))
        entry = session.scalars(
            sa.select(AuditLog)
            .where(AuditLog.action == "time_zone_changed")
            .order_by(AuditLog.id.desc())
        ).first()
        assert entry.details == {"from": "UTC", "to": "Europe/Berlin"}
        session.get(OrganizationSettings, org_id).time_zone = "UTC"
        session.commit()
    engine.dispose()


def test_analysts_cannot_set_the_time_zone(app, ops_world):
    url, world = ops_world
    before = _zone_and_audits(url, world["orgs"]["acme"])
    response = _save_zone(app, signed_in(app, "acme", "analyst"), "Asia/Tokyo")
    assert response.status_code == 403
    assert _zone_and_audits(url, world["orgs"]["acme"]) == before
