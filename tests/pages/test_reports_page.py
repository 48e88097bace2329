"""The /reports page through its callbacks: analysts add a subscription (a refusal is shown beside
its field and writes nothing), viewers get "No access" and their forged calls are refused,
admins see every subscription, flag the ones whose owner left and reassign them."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from auth.action_limits import send_now_wait_seconds
from components.reports import FIELDS
from data.db import make_engine
from data.models import AuditLog, ReportSubscription, User
from data.reads.reports import report_subscriptions
from data.scope import Scope
from tests.apps import call_callback, make_app, signed_in
from tests.shell.test_page_container import ORIGIN, find, first_layout

SAVE = ["reports-save.n_clicks"]


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
            for model in (ReportSubscription, AuditLog)
        )
    engine.dispose()
    return found


def user_id(url: str, email: str) -> int:
    engine = make_engine(url)
    with Session(engine) as session:
        found = session.scalar(sa.select(User.id).where(User.email == email))
    engine.dispose()
    return found


def form(url: str, **changes) -> dict:
    values = {
        "name": "Monday campaigns", "view": "campaigns", "campaign_id": None,
        "range": "last_7", "start": None, "end": None, "platform": ["meta"],
        "granularity": "day", "frequency": "weekly", "weekday": "0", "month_day": "1",
        "hour": "9", "include_csv": ["on"],
        "recipient_ids": [user_id(url, "analyst@acme.test"), user_id(url, "viewer@acme.test")],
    }  # fmt: skip
    values.update(changes)
    filled = {f"reports-field-{name}.value": values[name] for name in FIELDS}
    filled.update({"reports-save.n_clicks": 1, "reports-editing.data": None,
                   "reports-changed.data": 0, "reports-filters.data": {"sort": "spend"}})  # fmt: skip
    return filled


def save(app, client, values):
    response = call_callback(app, client, "reports-changed", values, SAVE)
    return response


def listed(app, client) -> str:
    response = call_callback(app, client, "reports-list", {"reports-changed.data": 1})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return str(response.json["response"]["reports-list"]["children"])


def test_viewers_get_no_access_analysts_and_admins_the_page(app):
    assert signed_in(app, "acme", "viewer").get("/reports").status_code == 403
    for role in ("analyst", "admin"):
        assert signed_in(app, "acme", role).get("/reports").status_code == 200


def test_an_analyst_adds_a_weekly_report_and_an_admin_sees_it(app, url):
    client = signed_in(app, "acme", "analyst")
    before = counts(url)
    response = save(app, client, form(url))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    answer = response.json["response"]
    assert answer["reports-form"]["is_open"] is False
    assert "was added" in answer["reports-notice"]["children"]
    assert counts(url) == (before[0] + 1, before[1] + 1)
    engine = make_engine(url)
    with Session(engine) as session:
        made = session.scalars(
            sa.select(ReportSubscription).order_by(ReportSubscription.id.desc())
        ).first()
    engine.dispose()
    assert made.params == {"range": "last_7", "platform": "meta", "sort": "spend"}
    assert (made.frequency, made.weekday, made.hour, made.include_csv) == (
        "weekly",
        0,
        9,
        True,
    )
    mine = listed(app, client)
    assert "Monday campaigns" in mine and "Every Monday at 09:00" in mine
    assert "Monday campaigns" in listed(app, signed_in(app, "acme", "admin"))
    assert "Monday campaigns" not in listed(app, signed_in(app, "globex", "admin"))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        # Every refusal by field is tested in tests/data/writes/test_report_subscriptions.py;
        # here, that the page shows one beside its field.
        ({"hour": "24"}, "hour", "Enter a whole number from 0 to 23."),
        ({"recipient_ids": []}, "recipient_ids", "Choose at least one person."),
    ],
)
def test_a_refusal_is_shown_beside_its_field_and_nothing_is_written(
    app, url, changes, field, message
):
    client = signed_in(app, "acme", "analyst")
    before = counts(url)
    answer = save(app, client, form(url, **changes)).json["response"]
    assert message in answer[f"reports-error-{field}"]["children"]
    assert "reports-changed" not in answer
    assert counts(url) == before


def test_a_recipient_of_another_organization_is_refused(app, url):
    client = signed_in(app, "acme", "analyst")
    before = counts(url)
    values = form(url, recipient_ids=[user_id(url, "viewer@globex.test")])
    answer = save(app, client, values).json["response"]
    assert (
        "active people of your organization"
        in answer["reports-error-recipient_ids"]["children"]
    )
    assert counts(url) == before


def test_a_viewers_forged_save_is_refused_and_writes_nothing(app, url):
    client = signed_in(app, "acme", "viewer")
    before = counts(url)
    assert save(app, client, form(url, name="Forged")).status_code == 403
    assert counts(url) == before


def press(app, client, marker: str, inputs: list, state: list, button: dict) -> dict:
    """Call the callback whose outputs include ``marker`` as the renderer does when the
    pattern-matching ``button`` was clicked."""
    key = next(k for k in app.callback_map if marker in k)
    outputs = []
    for part in key.strip(".").split("..."):
        component, prop = part.split(".", 1)
        outputs.append({"id": component, "property": prop.split("@")[0]})
    changed = json.dumps(button, sort_keys=True, separators=(",", ":")) + ".n_clicks"
    payload = {"output": key, "outputs": outputs, "inputs": inputs, "state": state,
               "changedPropIds": [changed]}  # fmt: skip
    token = client.get_cookie("_csrf_token")
    response = client.post(
        "/_dash-update-component", json=payload, headers={"X-CSRFToken": token.value}
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.json["response"]


def act(app, client, number: int, action: str, owner=None) -> dict:
    """Press a subscription's action button, with the owner picker's value."""
    button = {"type": "reports-action", "index": number, "action": action}
    return press(
        app, client, "reports-confirm.displayed",
        [[{"id": button, "property": "n_clicks", "value": 1}]],
        [{"id": "reports-changed", "property": "data", "value": 1},
         [{"id": {"type": "reports-owner", "index": number}, "property": "value", "value": owner}]],
        button,
    )  # fmt: skip


def test_edit_opens_the_form_filled_with_the_subscription(app, url):
    client = signed_in(app, "acme", "analyst")
    save(app, client, form(url, name="To edit", frequency="monthly", month_day="-1"))
    engine = make_engine(url)
    with Session(engine) as session:
        number = session.scalar(
            sa.select(ReportSubscription.id).where(ReportSubscription.name == "To edit")
        )
    engine.dispose()
    button = {"type": "reports-action", "index": number, "action": "edit"}
    answer = press(
        app, client, "reports-form-title.children",
        [{"id": "reports-new", "property": "n_clicks", "value": None},
         {"id": "reports-cancel", "property": "n_clicks", "value": None},
         [{"id": button, "property": "n_clicks", "value": 1}]],
        [], button,
    )  # fmt: skip
    assert answer["reports-form"]["is_open"] is True
    assert answer["reports-editing"]["data"] == {
        "subscription_id": number,
        "version": 1,
    }
    values = {name: answer[f"reports-field-{name}"]["value"] for name in FIELDS}
    assert values["campaign_id"] is None and values["month_day"] == "-1"
    assert (values["frequency"], values["range"], values["platform"]) == (
        "monthly", "last_7", ["meta"],
    )  # fmt: skip
    assert answer["reports-filters"]["data"] == {"sort": "spend"}


def test_admins_see_owner_left_and_reassign(app, url):
    save(app, signed_in(app, "acme", "analyst"), form(url, name="Left behind"))
    engine = make_engine(url)
    with Session(engine) as session:
        number = session.scalar(
            sa.select(ReportSubscription.id).where(
                ReportSubscription.name == "Left behind"
            )
        )
    analyst = user_id(url, "analyst@acme.test")
    with engine.begin() as conn:
        conn.execute(sa.update(User).where(User.id == analyst).values(is_active=False))
    try:
        admin = signed_in(app, "acme", "admin")
        assert "Owner left" in listed(app, admin)
        refused = act(
            app, admin, number, "reassign", str(user_id(url, "viewer@acme.test"))
        )
        assert "analyst or admin" in refused["reports-notice"]["children"]
        answer = act(
            app, admin, number, "reassign", str(user_id(url, "admin@acme.test"))
        )
        assert "has a new owner" in answer["reports-notice"]["children"]
        admin_id = user_id(url, "admin@acme.test")
        with Session(engine) as session:
            assert session.get(ReportSubscription, number).owner_id == admin_id
            scope = Scope(
                session.get(User, admin_id).organization_id, "admin", admin_id
            )
            frame = report_subscriptions(session, scope).set_index("subscription_id")
        assert not frame.loc[number, "owner_left"]
    finally:
        with engine.begin() as conn:
            conn.execute(
                sa.update(User).where(User.id == analyst).values(is_active=True)
            )
        engine.dispose()


def test_a_schedule_link_opens_the_form_with_the_views_filters(app):
    client = signed_in(app, "acme", "analyst")
    query = (
        "view=campaigns&start=2026-10-26&end=2026-11-01&platform=meta&sort=spend&desc=0"
    )
    page = first_layout(client, f"{ORIGIN}/reports?{query}")["_pages_content"][
        "children"
    ]
    assert find(page, "reports-form")["is_open"] is True
    assert find(page, "reports-field-view")["value"] == "campaigns"
    # KIKI_TODAY is 2026-11-01: those dates are "Last 7 days", kept relative.
    assert find(page, "reports-field-range")["value"] == "last_7"
    assert find(page, "reports-field-platform")["value"] == ["meta"]
    assert find(page, "reports-filters")["data"] == {"sort": "spend", "desc": "0"}
    custom = first_layout(
        client, f"{ORIGIN}/reports?view=overview&start=2026-10-02&end=2026-10-09"
    )
    fields = custom["_pages_content"]["children"]
    assert find(fields, "reports-field-range")["value"] == "custom"
    assert find(fields, "reports-field-start")["value"] == "2026-10-02"


def test_send_now_is_limited_per_person(app, monkeypatch):
    monkeypatch.setitem(app.server.config, "KIKI_REPORT_SEND_NOW_LIMIT", "2 per hour")
    with app.server.test_request_context():
        waits = [send_now_wait_seconds(987654) for _ in range(3)]
    assert waits[:2] == [0, 0] and waits[2] > 0
