"""The /alerts page through its callbacks: an analyst adds a rule (a refusal names its field and
writes nothing), every role reads the list, a viewer's forged save is refused and writes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from components.alerts import FIELDS
from data.db import make_engine
from data.models import AlertRule, AuditLog
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
    response = call_callback(app, client, "alerts-list", {"alerts-changed.data": 1})
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
    assert "ROAS below 1.5× over the last 7 days" in listed
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
    response = call_callback(app, client, "alerts-list", {"alerts-changed.data": 1})
    assert response.status_code in (401, 403)
