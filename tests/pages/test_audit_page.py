"""The audit-log page and its CSV export: the organization's own events, filtered, paged, exported."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.auth import dash_calls
from tests.auth.support import counts, member_factory, sign_in
from tests.factories import login

TABLE = "audit-table"
TODAY = dt.datetime.now(dt.UTC).date()


@pytest.fixture
def members(app, world):
    yield from member_factory(app, world)


def show(
    app,
    client,
    start=None,
    end=None,
    action=None,
    actor=None,
    page=1,
    trigger="audit-dates.start_date",
):
    values = {
        "audit-dates.start_date": start or (TODAY - dt.timedelta(days=1)).isoformat(),
        "audit-dates.end_date": end or TODAY.isoformat(),
        "audit-action.value": action,
        "audit-actor.value": actor,
        "audit-pager.active_page": page,
    }
    return dash_calls.post(client, dash_calls.triggered(app, TABLE, trigger, values))


def outputs(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    return response.json["response"]


def test_admin_sees_events_of_a_member_and_none_of_another_organization(app, members):
    ours, theirs = members("acme", "viewer"), members("globex", "viewer")
    sign_in(app, ours.email)
    sign_in(app, theirs.email)
    admin = sign_in(app, members("acme", "admin").email)
    found = outputs(show(app, admin, actor=ours.email))
    assert ours.email in json.dumps(found) and "login_succeeded" in json.dumps(found)
    assert found["audit-total"]["children"].startswith("1 entry")
    everything = json.dumps(outputs(show(app, admin)))
    assert theirs.email not in everything and "@globex.test" not in everything
    assert outputs(show(app, admin, actor=theirs.email))["audit-total"][
        "children"
    ].startswith("0 ")


def test_action_choices_are_the_organizations_own(app, members):
    admin = sign_in(app, members("acme", "admin").email)
    options = outputs(
        dash_calls.call(app, admin, "audit-action", {"audit-dates.start_date": "x"})
    )
    choices = options["audit-action"]["options"]
    assert {"label": "Login succeeded", "value": "login_succeeded"} in choices


def test_paging_and_a_filter_change_back_to_page_one(app, members):
    member = members("acme", "viewer")
    for _ in range(3):
        sign_in(app, member.email)
    admin = sign_in(app, members("acme", "admin").email)
    # 25 rows a page: the member's three sign-ins fit on one; page 9 of one page shows page 1.
    result = outputs(
        show(app, admin, actor=member.email, page=9, trigger="audit-pager.active_page")
    )
    assert result["audit-pager"] == {"max_value": 1, "active_page": 1}
    assert json.dumps(result).count(member.email) == 3
    refiltered = outputs(show(app, admin, actor=member.email, page=4))
    assert refiltered["audit-pager"]["active_page"] == 1


def test_the_export_link_carries_the_filters_and_exports_matching_rows(app, members):
    member = members("acme", "viewer")
    sign_in(app, member.email)
    admin = sign_in(app, members("acme", "admin").email)
    href = outputs(show(app, admin, action="login_succeeded", actor=member.email))[
        "audit-export"
    ]["href"]
    query = parse_qs(urlsplit(href).query)
    assert urlsplit(href).path == "/export/audit.csv"
    assert query["action"] == ["login_succeeded"] and query["actor"] == [member.email]
    response = admin.get(href)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # a file for people: Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert [(r["Action"], r["Actor"]) for r in rows] == [
        ("Login succeeded", member.email)
    ]
    # The export itself is audited.
    assert "export_made" in json.dumps(outputs(show(app, admin, action="export_made")))


def test_export_of_one_organization_holds_none_of_another(app, members):
    theirs, ours = members("globex", "viewer"), members("acme", "admin")
    sign_in(app, theirs.email)
    admin = sign_in(app, ours.email)
    start = (TODAY - dt.timedelta(days=30)).isoformat()
    text = admin.get(f"/export/audit.csv?start={start}&end={TODAY}").get_data(
        as_text=True
    )
    assert text.startswith("\ufeffAudit ID,When (UTC),Action,Actor")
    assert (
        theirs.email not in text and "@globex.test" not in text and ours.email in text
    )


@pytest.mark.parametrize(
    "query",
    [
        "",
        "start=2026-10-01",
        "start=yesterday&end=today",
        "start=2026-10-05&end=2026-10-01",
        "start=2026-10-01&end=2026-10-05&action=login%27%20OR%201%3D1",
        "start=2026-10-01&end=2026-10-05&actor=" + "x" * 10_000,
    ],
)
def test_export_refuses_bad_filters_with_a_message(app, client_for, query):
    admin = client_for("acme", "admin")
    before = counts(app)
    response = admin.get(f"/export/audit.csv?{query}")
    assert response.status_code == 400 and response.json["error"]["message"]
    assert counts(app) == before  # no export row for an export that did not happen


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_only_admins_export_the_audit_log(app, client_for, role):
    response = client_for("acme", role).get(
        f"/export/audit.csv?start=2026-01-01&end={TODAY}"
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "values",
    [
        {"start": "not a date"},
        {"start": "2026-10-05", "end": "2026-10-01"},
        {"action": ["login_failed"]},
        {"action": "x" * 10_000},
        {"actor": {"$regex": ".*"}},
        {"actor": "y" * 10_000},
    ],
    ids=lambda v: repr(v)[:30],
)
def test_bad_filters_show_a_message(app, client_for, values):
    result = outputs(show(app, client_for("acme", "admin"), **values))
    assert result["audit-message"]["children"]["props"]["color"] == "warning"
    assert result["audit-table"]["children"] is None


def test_unicode_and_wildcards_in_the_actor_filter_are_plain_text(app, client_for):
    admin = client_for("acme", "admin")
    for actor in ("%", "_", "ünï", "' OR '1'='1", "<script>"):
        assert outputs(show(app, admin, actor=actor))["audit-total"][
            "children"
        ].startswith("0 ")


def test_a_failed_sign_in_is_logged_with_its_address(app, members):
    member = members("acme", "viewer")
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert login(client, member.email, "not the password at all").status_code == 401
    admin = sign_in(app, members("acme", "admin").email)
    shown = json.dumps(
        outputs(show(app, admin, action="login_failed", actor=member.email))
    )
    assert "203.0.113.9" in shown and "wrong password" in shown


def _by_id(component, found=None) -> dict:
    found = {} if found is None else found
    if getattr(component, "id", None):
        found[component.id] = component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if hasattr(child, "to_plotly_json"):
            _by_id(child, found)
    return found


def test_a_link_with_filters_opens_the_log_with_them_and_the_shared_period_picker(app):
    from pages import audit

    with app.server.test_request_context("/audit"):
        page = _by_id(
            audit.layout(
                start="2026-10-01", end="2026-10-31", action="role_changed", actor="bob"
            )
        )
        default = _by_id(audit.layout())
    dates = page["audit-dates"]
    assert (dates.start_date, dates.end_date) == ("2026-10-01", "2026-10-31")
    assert page["audit-action"].value == "role_changed"
    assert page["audit-actor"].value == "bob"
    assert (
        page["audit-preset"].value == "custom"
    )  # the period picker the other pages have
    assert "audit-url-sync" in page
    assert default["audit-preset"].value == "last_30"
    assert (
        "btn-primary" in page["audit-export"].className
    )  # not a grey, disabled-looking one


def test_a_link_with_nonsense_filters_opens_the_default_log(app):
    from pages import audit

    with app.server.test_request_context("/audit"):
        page = _by_id(audit.layout(start="yesterday", end="2026-10-31", action="<x>"))
    assert page["audit-preset"].value == "last_30"
    assert page["audit-action"].value is None
