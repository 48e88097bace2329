"""Each class of malformed input the fuzz test found answers 400/413/415 with a message, not 500."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from data.filters import InvalidFilter, parse_non_negative, resolve_preset_change
from shell.callback_inputs import page_index, sort_spec
from tests.auth import dash_calls

DEEP = b"[" * 20000 + b"]" * 20000


def test_a_body_over_the_limit_is_413_json_for_callbacks(client_for, app):
    admin = client_for("acme", "admin")
    limit = app.server.config["KIKI_MAX_REQUEST_BYTES"]
    response = admin.post(
        "/_dash-update-component",
        data=b"x" * (limit + 1),
        content_type="application/json",
        headers=dash_calls.csrf_headers(admin),
    )
    assert response.status_code == 413
    assert "too large" in response.json["error"]["message"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(DEEP, "application/json"), (b"[1]", "application/json"), (b"x", "text/xml")],
)
def test_the_sign_in_form_refuses_other_bodies(app, body, content_type):
    # Each refused post spends the sign-in budget of its address: not the shared 127.0.0.1,
    # or later sign-ins of the session's app would be refused as too many.
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = f"203.0.113.{uuid.uuid4().int % 250 + 1}"
    response = client.post("/login", data=body, content_type=content_type)
    assert response.status_code == 415


def test_deep_json_is_refused_not_recursed(client_for):
    admin = client_for("acme", "admin")
    response = admin.post(
        "/_dash-update-component",
        data=DEEP,
        content_type="application/json",
        headers=dash_calls.csrf_headers(admin),
    )
    assert response.status_code in (400, 403)


@pytest.mark.parametrize(
    "change",
    [{"changedPropIds": 5}, {"inputs": 5}, {"state": [1]}, {"outputs": None}],
)
def test_callback_envelopes_of_the_wrong_shape_are_400(app, client_for, change):
    viewer = client_for("acme", "viewer")
    body = {
        **dash_calls.payload(app, dash_calls.callback_key(app, "overview-kpis")),
        **change,
    }
    response = dash_calls.post(viewer, body)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.json["error"]["message"]


@pytest.mark.parametrize("pathname", [True, 5, ["/"], "abc", {"a": 1}])
def test_a_location_that_is_not_a_path_is_400(app, client_for, pathname):
    viewer = client_for("acme", "viewer")
    viewer.get("/")
    body = dash_calls.payload(
        app, dash_calls.ROUTER, {"_pages_location.pathname": pathname}
    )
    assert dash_calls.post(viewer, body).status_code == 400


@pytest.mark.parametrize(
    "value",
    [
        "sNaN",
        "-sNaN",
        "NaN",
        "Infinity",
        "1e999999999",
        float("nan"),
        10**400,
        True,
        [1],
    ],
)
def test_numbers_are_finite_only(value):
    for kind in (float, Decimal):
        with pytest.raises(InvalidFilter):
            parse_non_negative(value, "min_spend", kind)


@pytest.mark.parametrize("path", ["/export/campaigns.csv", "/api/v1/campaigns"])
def test_snan_in_exports_and_the_api_is_400(client_for, path):
    from tests.api.conftest import bearer, request_token

    client = client_for("acme", "analyst")
    headers = {}
    if path.startswith("/api/"):
        token = request_token(client, "analyst@acme.test").json["access_token"]
        headers = bearer(token)
    response = client.get(f"{path}?min_spend=sNaN", headers=headers)
    assert response.status_code == 400


def test_callback_inputs_of_the_wrong_shape_are_invalid_filters():
    assert resolve_preset_change(["last_7"], None, None, True, None)[2] == "custom"
    for bad in ("2", 1.5, float("inf"), -1, True, 10**9):
        with pytest.raises(InvalidFilter):
            page_index(bad)
    for bad in (
        1,
        {"column_id": "x"},
        [{"column_id": 1}],
        [{"column_id": "x", "direction": "up"}],
    ):
        with pytest.raises(InvalidFilter):
            sort_spec(bad, "revenue")
    assert sort_spec([{"column_id": "name", "direction": "asc"}], "revenue") == (
        "name",
        False,
    )
