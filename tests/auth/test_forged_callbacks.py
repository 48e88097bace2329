"""Forged callback requests: the guard judges what Dash will actually run, not what the body claims."""

from __future__ import annotations

import pytest

from auth.access import PageRules, output_ids
from tests.auth import dash_calls
from tests.auth.support import counts, users_snapshot

SETTINGS_ACTION = "settings-action-message"
ROUTER = ".._pages_content.children..._pages_store.data.."


@pytest.fixture
def viewer(client_for):
    return client_for("acme", "viewer")


def test_admin_callback_named_with_viewer_outputs_is_refused(app, world, viewer):
    target = world["campaigns"]["1"]  # any id: nothing may change
    body = dash_calls.triggered(
        app,
        SETTINGS_ACTION,
        "settings-reset-password.n_clicks",
        {"settings-reset-password.n_clicks": 1, "settings-user.value": target},
    )
    body["outputs"] = [{"id": "overview-kpis", "property": "children"}]
    before = users_snapshot(app, world["orgs"]["acme"]), counts(app)
    response = dash_calls.post(viewer, body)
    assert response.status_code == 403
    assert (users_snapshot(app, world["orgs"]["acme"]), counts(app)) == before


def test_viewer_callback_with_admin_outputs_claimed_is_refused(app, viewer):
    body = dash_calls.payload(app, dash_calls.callback_key(app, "profile-details"))
    assert dash_calls.post(viewer, body).status_code == 200
    body["outputs"] = {"id": "settings-users", "property": "children"}
    assert dash_calls.post(viewer, body).status_code == 403


@pytest.mark.parametrize(
    "inputs",
    [
        # A decoy first: Dash hands the router its inputs by position.
        [
            {"id": "x", "property": "y", "value": "/settings"},
            {"id": "_pages_location", "property": "pathname", "value": "/"},
        ],
        [{"id": "_pages_location", "property": "pathname", "value": "/audit"}],
        [{"id": "_pages_location", "property": "search", "value": "/settings"}],
    ],
)
def test_router_cannot_be_tricked_into_an_admin_page(app, viewer, inputs):
    viewer.get("/")
    body = dash_calls.payload(app, ROUTER)
    body["inputs"] = inputs
    assert dash_calls.post(viewer, body).status_code == 403


def test_router_state_counts_too(app, viewer):
    viewer.get("/")
    body = dash_calls.payload(app, ROUTER, {"_pages_location.pathname": "/"})
    body["inputs"] = []
    body["state"] = [
        {"id": "_pages_location", "property": "pathname", "value": "/settings"}
    ]
    assert dash_calls.post(viewer, body).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"output": None},
        {"output": ["settings-users.children"]},
        {"output": "overview-no-such-output.children"},
        {"output": "..overview-kpis.children.."},
        {"output": "{not json}.value"},
        {"output": "shell-theme.data"},  # client-side only
    ],
    ids=repr,
)
def test_unknown_or_malformed_callbacks_are_refused(client_for, body):
    admin = client_for("acme", "admin")
    assert dash_calls.post(admin, body).status_code == 403


def test_a_body_that_is_not_json_is_refused(client_for):
    admin = client_for("acme", "admin")
    response = admin.post(
        "/_dash-update-component",
        data=b"\xff\xfe not json",
        content_type="application/json",
        headers=dash_calls.csrf_headers(admin),
    )
    assert response.status_code == 403


def test_output_ids_of_callback_keys():
    assert output_ids("settings-users.children") == ["settings-users"]
    assert output_ids("..a-x.children...b-y.data@1f2e...c.z..") == ["a-x", "b-y", "c"]
    assert output_ids('{"index":["ALL"],"type":"tokens-row"}.children') == [
        "tokens-row"
    ]
    assert output_ids('{"index":1}.children') == [""]  # no type: no owner
    assert output_ids("{broken.children") == [""]


def test_page_rules_refuse_what_nobody_declared():
    registry = {
        "a": {"path": "/", "min_role": "viewer", "id_prefix": "home-"},
        "b": {"path": "/admin", "min_role": "admin", "id_prefix": "admin-"},
        "c": {"path": "/admin/x", "min_role": "viewer", "id_prefix": "admin-x-"},
    }
    callbacks = {
        "home-a.children": {"callback": object()},
        "..admin-x-b.children...home-c.children..": {"callback": object()},
        "stray-d.children": {"callback": object()},
    }
    rules = PageRules(registry, callbacks)
    assert rules.callback_role({"output": "home-a.children"}) == "viewer"
    # The longest prefix owns an id ("admin-x-" is the viewer page's, not the admin page's).
    key = "..admin-x-b.children...home-c.children.."
    assert rules.callback_role({"output": key}) == "viewer"
    assert rules.callback_role({"output": "stray-d.children"}) is None
    assert rules.callback_role({"output": "home-z.children"}) is None  # not registered
    assert (
        rules.page_role("/admin/") == "admin"
        and rules.page_role("/nowhere") == "viewer"
    )
