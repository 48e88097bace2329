"""The /alerts page through its callbacks: an analyst adds a rule (a refusal names its field and
writes nothing), every role reads the list, a viewer's forged save is refused and writes nothing."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from components.alerts import FIELDS
from data.db import make_engine
from data.models import (
    AlertRule,
    AuditLog,
    Organization,
    WebhookAttempt,
    WebhookEndpoint,
)
from tests.apps import call_callback, make_app, signed_in

SAVE = ["alerts-save.n_clicks"]


@pytest.fixture(scope="module")
def app(ops_world):
    return make_app(ops_world[0])


@pytest.fixture(scope="module")
def url(ops_world):
    return ops_world[0]


def counts(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    with Session(engine) as session:
        found = tuple(
            session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (AlertRule, AuditLog)
        )
    engine.dispose()
    return found


def form(**changes) -> dict:
    values = {
        "name": "Meta ROAS",
        "condition": "roas_below",
        "target": "platform",
        "platform": "meta",
        "campaign_id": None,
        "threshold": "1.5",
        "window_days": 7,
        "min_spend": "",
        "for_minutes": 0,
        "reminder_hours": None,
        "channels": ["in_app"],
        "recipient_ids": [],
    }
    values.update(changes)
    filled = {f"alerts-field-{name}.value": values[name] for name in FIELDS}
    filled.update(
        {
            "alerts-save.n_clicks": 1,
            "alerts-editing.data": None,
            "alerts-changed.data": 0,
        }
    )
    return filled


def save(app, client, values):
    response = call_callback(app, client, "alerts-changed", values, SAVE)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.json["response"]


def rule_list(app, client) -> str:
    response = call_callback(
        app,
        client,
        "alerts-list",
        {"alerts-changed.data": 1, "shell-live-alerts.data": None},
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return str(response.json["response"]["alerts-list"]["children"])


def test_every_role_opens_the_page(app):
    for role in ("viewer", "analyst", "admin"):
        client = signed_in(app, "acme", role)
        assert client.get("/alerts").status_code == 200


def test_an_analyst_adds_a_rule_and_everyone_sees_it(app, url):
    client = signed_in(app, "acme", "analyst")
    before = counts(url)
    answer = save(app, client, form(name="Meta ROAS under 1.5"))
    assert answer["alerts-form"]["is_open"] is False
    assert "was added" in answer["alerts-notice"]["children"]
    assert counts(url) == (before[0] + 1, before[1] + 1)
    listed = rule_list(app, signed_in(app, "acme", "viewer"))
    assert "Meta ROAS under 1.5" in listed
    assert "ROAS below 1.50× over the last 7 days" in listed
    assert "Edit" not in listed  # a viewer gets no actions
    assert "Edit" in rule_list(app, client)
    # Another organization does not see it.
    assert "Meta ROAS under 1.5" not in rule_list(
        app, signed_in(app, "globex", "admin")
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Name: This field is required."),
        ({"threshold": "abc"}, "Threshold: Enter a number of zero or more"),
        (
            {"window_days": 400},
            "Over the last (days): Enter a whole number from 1 to 90.",
        ),
        ({"channels": []}, "Tell by: Choose at least one way to be told."),
        (
            {"target": "campaign", "campaign_id": "999999"},
            "Campaign: Choose a campaign",
        ),
    ],
)
def test_a_refusal_names_its_field_and_nothing_is_written(app, url, changes, message):
    client = signed_in(app, "acme", "analyst")
    before = counts(url)
    answer = save(app, client, form(**changes))
    assert message in answer["alerts-form-notice"]["children"]
    assert "alerts-changed" not in answer
    assert counts(url) == before


def test_a_viewers_forged_save_is_refused_and_writes_nothing(app, url):
    client = signed_in(app, "acme", "viewer")
    before = counts(url)
    answer = save(app, client, form(name="Forged"))
    assert answer["alerts-form-notice"]["children"] == "Only analysts can do this."
    assert counts(url) == before


def test_anonymous_callers_are_refused(app):
    client = app.server.test_client()
    assert client.get("/alerts").status_code in (302, 401)
    response = call_callback(
        app,
        client,
        "alerts-list",
        {"alerts-changed.data": 1, "shell-live-alerts.data": None},
    )
    assert response.status_code in (401, 403)


def _endpoints(url: str) -> list[tuple[str, str]]:
    engine = make_engine(url)
    with Session(engine) as session:
        found = [
            (row.url, row.secret_encrypted)
            for row in session.scalars(sa.select(WebhookEndpoint))
        ]
    engine.dispose()
    return found


def add_webhook(app, client, address: str):
    values = {
        "webhooks-add.n_clicks": 1,
        "webhooks-url.value": address,
        "webhooks-description.value": "Ops room",
        "webhooks-changed.data": 0,
    }
    return call_callback(
        app, client, "webhooks-secret", values, ["webhooks-add.n_clicks"]
    )


def test_an_admin_adds_a_webhook_and_sees_its_secret_once(app, url):
    client = signed_in(app, "acme", "admin")
    assert client.get("/settings/webhooks").status_code == 200
    before = _endpoints(url)
    refused = add_webhook(app, client, "http://hooks.example.com/kiki")
    assert "Use https" in str(refused.json["response"]["webhooks-secret"])
    assert _endpoints(url) == before
    answer = add_webhook(app, client, "https://hooks.example.com/kiki").json["response"]
    shown = str(answer["webhooks-secret"]["children"])
    secret = re.search(r"whsec_[A-Za-z0-9+/=]{32}", shown).group(0)
    assert secret.startswith("whsec_")
    added = [row for row in _endpoints(url) if row not in before]
    assert [row[0] for row in added] == ["https://hooks.example.com/kiki"]
    assert secret not in added[0][1]  # kept encrypted
    listed = call_callback(app, client, "webhooks-list", {"webhooks-changed.data": 1})
    assert "https://hooks.example.com/kiki" in str(listed.json["response"])
    assert secret not in str(listed.json["response"])


def test_an_analyst_cannot_reach_webhooks(app):
    client = signed_in(app, "acme", "analyst")
    assert client.get("/settings/webhooks").status_code == 403
    assert add_webhook(app, client, "https://x.example.com/h").status_code == 403


def test_delivery_attempts_are_listed_for_admins(app, url):
    engine = make_engine(url)
    with Session(engine) as session:
        org_id = session.scalar(
            sa.select(Organization.id).where(Organization.slug == "acme")
        )
        session.add(
            WebhookAttempt(
                organization_id=org_id,
                message_id="msg_test_1",
                event_type="alert.firing",
                attempt=2,
                status_code=500,
                error="server error",
                duration_ms=12,
            )
        )
        session.commit()
    engine.dispose()
    client = signed_in(app, "acme", "admin")
    listed = str(
        call_callback(app, client, "webhooks-list", {"webhooks-changed.data": 1}).json
    )
    assert (
        "alert.firing" in listed and "500: server error" in listed and "12 ms" in listed
    )
    other = signed_in(app, "globex", "admin")
    assert "alert.firing" not in str(
        call_callback(app, other, "webhooks-list", {"webhooks-changed.data": 1}).json
    )
