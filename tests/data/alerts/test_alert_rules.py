"""Alert rules' writes: every refusal names its field and writes nothing; tenancy; roles; versions;
snooze bounds; audit rows. Webhook endpoints: https only (http to loopback), secret encrypted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from data.campaign_rules import InvalidField
from data.errors import Conflict, NotFound
from data.models import AlertRule, AuditLog, CampaignDeployment, WebhookEndpoint
from data.reads.alerts import alert_rules, rule_choices, webhook_endpoints
from data.scope import PermissionDenied
from data.writes.alert_rules import (
    create_rule,
    delete_rule,
    edit_rule,
    set_rule_active,
    snooze_rule,
)
from data.writes.webhooks import create_endpoint, delete_endpoint
from tests.data.lifecycle.conftest import make_org


class PlainCipher:
    """A reversible stand-in cipher whose output is visibly not the secret."""

    def encrypt(self, plaintext: str) -> bytes:
        return plaintext[::-1].encode()

    def decrypt(self, token: bytes) -> str:
        return token.decode()[::-1]


@pytest.fixture
def orgs(session):
    return make_org(session, "al"), make_org(session, "other")


def _campaign(session, org_id: int, name: str = "Winter") -> int:
    campaign = CampaignDeployment(organization_id=org_id, name=name, status="active")
    session.add(campaign)
    session.flush()
    return campaign.id


def body(**changes) -> dict:
    raw = {
        "name": "ROAS watch",
        "condition": "roas_below",
        "target": "organization",
        "threshold": "2.5",
        "window_days": 7,
        "channels": ["in_app", "email"],
    }
    raw.update(changes)
    return raw


def _count(session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_an_analyst_creates_a_rule_due_at_once_with_its_audit_row(session, orgs):
    org, _ = orgs
    rule = create_rule(session, org["analyst"], body(), ip_address="10.0.0.1")
    assert rule.threshold == Decimal("2.5")
    assert rule.channels == ["in_app", "email"]
    assert rule.recipient_ids == [org["analyst"].user_id]  # nobody chosen: the author
    assert rule.next_due_at is not None and rule.state == "ok"
    audit = session.scalars(
        sa.select(AuditLog.action).where(AuditLog.target_id == str(rule.id))
    ).all()
    assert audit == ["alert_rule.create"]
    frame = alert_rules(session, org["viewer"])
    assert frame["name"].tolist() == ["ROAS watch"]


REFUSALS = [
    ("name", {"name": ""}),
    ("name", {"name": "<b>x</b>"}),
    ("condition", {"condition": "ctr_below"}),
    ("target", {"target": "galaxy"}),
    ("platform", {"target": "platform", "platform": "myspace"}),
    ("campaign_id", {"target": "campaign", "campaign_id": "abc"}),
    ("threshold", {"threshold": "-1"}),
    ("threshold", {"threshold": "NaN"}),
    ("threshold", {"threshold": "1e3"}),
    ("threshold", {"threshold": None}),
    ("threshold", {"condition": "pacing_above", "threshold": "1001"}),
    ("window_days", {"window_days": 0}),
    ("window_days", {"window_days": 91}),
    ("window_days", {"window_days": 2.5}),
    ("min_spend", {"condition": "zero_conversions", "min_spend": ""}),
    ("for_minutes", {"for_minutes": -5}),
    ("reminder_hours", {"reminder_hours": 0}),
    ("channels", {"channels": []}),
    ("channels", {"channels": ["sms"]}),
    ("recipient_ids", {"recipient_ids": ["x"]}),
]


@pytest.mark.parametrize(("field", "changes"), REFUSALS)
def test_bad_input_names_its_field_and_writes_nothing(session, orgs, field, changes):
    org, _ = orgs
    before = (_count(session, AlertRule), _count(session, AuditLog))
    with pytest.raises(InvalidField) as refused:
        create_rule(session, org["analyst"], body(**changes))
    assert refused.value.field == field
    assert (_count(session, AlertRule), _count(session, AuditLog)) == before


def test_another_organizations_campaign_and_people_are_refused(session, orgs):
    org, other = orgs
    theirs = _campaign(session, other["org_id"])
    with pytest.raises(InvalidField) as refused:
        create_rule(
            session, org["analyst"], body(target="campaign", campaign_id=theirs)
        )
    assert refused.value.field == "campaign_id"
    with pytest.raises(InvalidField) as refused:
        create_rule(
            session, org["analyst"], body(recipient_ids=[other["admin"].user_id])
        )
    assert refused.value.field == "recipient_ids"
    ours = _campaign(session, org["org_id"])
    rule = create_rule(
        session,
        org["analyst"],
        body(target="campaign", campaign_id=ours, recipient_ids=[org["admin"].user_id]),
    )
    assert (rule.campaign_id, rule.recipient_ids) == (ours, [org["admin"].user_id])
    names = [name for _, name in rule_choices(session, org["viewer"])["campaigns"]]
    assert names == ["Winter"]


def test_viewers_read_but_cannot_write(session, orgs):
    org, _ = orgs
    rule = create_rule(session, org["analyst"], body())
    for write in (
        lambda: create_rule(session, org["viewer"], body()),
        lambda: edit_rule(session, org["viewer"], rule.id, body()),
        lambda: snooze_rule(session, org["viewer"], rule.id, None),
        lambda: set_rule_active(session, org["viewer"], rule.id, False),
        lambda: delete_rule(session, org["viewer"], rule.id),
    ):
        with pytest.raises(PermissionDenied):
            write()
    assert len(alert_rules(session, org["viewer"])) == 1


def test_another_organizations_rule_looks_absent(session, orgs):
    org, other = orgs
    rule = create_rule(session, org["analyst"], body())
    with pytest.raises(NotFound):
        edit_rule(session, other["analyst"], rule.id, body())
    with pytest.raises(NotFound):
        delete_rule(session, other["admin"], rule.id)
    assert alert_rules(session, other["viewer"]).empty


def test_an_edit_needs_the_version_it_read_and_starts_the_state_again(session, orgs):
    org, _ = orgs
    rule = create_rule(session, org["analyst"], body())
    rule.breached_since = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    with pytest.raises(Conflict):
        edit_rule(session, org["analyst2"], rule.id, body(threshold="3"), version=9)
    edited = edit_rule(
        session, org["analyst2"], rule.id, body(threshold="3"), version=1
    )
    assert (edited.version, edited.threshold, edited.breached_since) == (
        2,
        Decimal(3),
        None,
    )


def test_snooze_is_in_the_future_and_at_most_thirty_days(session, orgs):
    org, _ = orgs
    rule = create_rule(session, org["analyst"], body())
    now = dt.datetime.now(dt.UTC)
    for bad in (now - dt.timedelta(minutes=1), now + dt.timedelta(days=31)):
        with pytest.raises(InvalidField):
            snooze_rule(session, org["analyst"], rule.id, bad)
    until = now + dt.timedelta(hours=24)
    assert snooze_rule(session, org["analyst"], rule.id, until).snoozed_until == until
    assert snooze_rule(session, org["analyst"], rule.id, None).snoozed_until is None
    paused = set_rule_active(session, org["analyst"], rule.id, False)
    assert (paused.is_active, paused.next_due_at) == (False, None)
    delete_rule(session, org["admin"], rule.id)
    assert alert_rules(session, org["viewer"]).empty


def test_webhook_endpoints_are_https_admin_only_and_keep_the_secret_encrypted(
    session, orgs
):
    org, other = orgs
    for bad in ("ftp://x.test/h", "http://example.com/h", "https://u:p@x.test/h", ""):
        with pytest.raises(InvalidField):
            create_endpoint(session, org["admin"], bad, cipher=PlainCipher())
    with pytest.raises(PermissionDenied):
        create_endpoint(
            session, org["analyst"], "https://x.test/h", cipher=PlainCipher()
        )
    endpoint, secret = create_endpoint(
        session,
        org["admin"],
        "https://hooks.example.com/kiki",
        "Ops",
        cipher=PlainCipher(),
    )
    assert secret.startswith("whsec_") and len(secret) == len("whsec_") + 32
    assert secret not in endpoint.secret_encrypted
    assert PlainCipher().decrypt(endpoint.secret_encrypted.encode()) == secret
    for private in (
        "https://169.254.169.254/latest/meta-data",  # a cloud's metadata service
        "https://10.1.2.3/hooks",
        "https://[::1]/hooks",
        "http://127.0.0.1:8999/h",  # loopback: only with KIKI_WEBHOOK_ALLOW_LOCAL
        "http://localhost:8999/h",
        "https://0.0.0.0/h",
    ):
        with pytest.raises(InvalidField, match="public"):
            create_endpoint(session, org["admin"], private, cipher=PlainCipher())
    local, _ = create_endpoint(
        session,
        org["admin"],
        "http://127.0.0.1:8999/h",
        cipher=PlainCipher(),
        allow_local=True,
    )
    frame = webhook_endpoints(session, org["admin"])
    assert "secret_encrypted" not in frame.columns
    assert frame["url"].tolist() == [
        "http://127.0.0.1:8999/h",
        "https://hooks.example.com/kiki",
    ]
    with pytest.raises(NotFound):
        delete_endpoint(session, other["admin"], endpoint.id)
    delete_endpoint(session, org["admin"], local.id)
    assert _count(session, WebhookEndpoint) == 1
    with pytest.raises(PermissionDenied):
        webhook_endpoints(session, org["viewer"])
