"""The /profile/tokens page: create a token (shown once), list and revoke your own, through callbacks."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from data.db import get_database
from data.models import ApiToken
from data.writes.api_tokens import create_token
from tests.api.conftest import bearer

TOKEN_PATTERN = re.compile(r"kiki_[A-Za-z0-9_-]{43}")


def _callback_key(app, output: str) -> str:
    keys = [key for key in app.callback_map if output in key]
    assert len(keys) == 1, keys
    return keys[0]


def _outputs(key: str) -> list[dict]:
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    return [
        {"id": part.rpartition(".")[0], "property": part.rpartition(".")[2]}
        for part in parts
    ]


def _change(app, client, *, create=None, revoke=None, name=None, scope="read"):
    """POST the change_api_tokens callback as the browser would."""
    key = _callback_key(app, "tokens-new.children")
    revoke_inputs = []
    changed = "tokens-create.n_clicks"
    if revoke is not None:
        revoke_id = {"index": revoke, "type": "tokens-revoke"}
        revoke_inputs = [{"id": revoke_id, "property": "n_clicks", "value": 1}]
        changed = json.dumps(revoke_id, separators=(",", ":")) + ".n_clicks"
    payload = {
        "output": key,
        "outputs": _outputs(key),
        "inputs": [
            {"id": "tokens-create", "property": "n_clicks", "value": create},
            revoke_inputs,
        ],
        "changedPropIds": [changed],
        "state": [
            {"id": "tokens-name", "property": "value", "value": name},
            {"id": "tokens-changed", "property": "data", "value": 0},
            {"id": "tokens-scope", "property": "value", "value": scope},
        ],
    }
    return _post(client, payload)


def _list(app, client):
    key = _callback_key(app, "tokens-list.children")
    payload = {
        "output": key,
        "outputs": _outputs(key)[0],
        "inputs": [{"id": "tokens-changed", "property": "data", "value": 0}],
        "changedPropIds": [],
        "state": [],
    }
    return _post(client, payload)


def _post(client, payload):
    csrf = client.get_cookie("_csrf_token")
    headers = {"X-CSRFToken": csrf.value} if csrf else {}
    return client.post("/_dash-update-component", json=payload, headers=headers)


@pytest.fixture
def viewer(app, client_for, make_user):
    """A signed-in client of a fresh viewer (so its tokens are this test's alone)."""
    from tests.factories import login

    user_id, email = make_user("viewer")
    client = app.server.test_client()
    assert login(client, email).status_code == 302
    client.get("/profile/tokens")  # the page sets the CSRF cookie
    return user_id, client


def test_the_page_opens_for_a_viewer(viewer):
    _user_id, client = viewer
    assert client.get("/profile/tokens").status_code == 200


def test_a_created_token_is_shown_once_works_and_is_stored_hashed(app, api, viewer):
    user_id, client = viewer
    response = _change(app, client, create=1, name="reporting script")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = response.get_data(as_text=True)
    plaintext = TOKEN_PATTERN.search(body).group(0)
    assert api.get("/api/v1/ltv", headers=bearer(plaintext)).status_code == 200
    listing = _list(app, client).get_data(as_text=True)
    assert "reporting script" in listing and plaintext[:12] in listing
    assert plaintext not in listing  # never shown again
    with app.server.app_context(), get_database().session_scope() as session:
        stored = session.scalars(
            sa.select(ApiToken.token_hash).where(ApiToken.user_id == user_id)
        ).all()
    assert len(stored) == 1 and plaintext not in stored[0]


def test_revoking_from_the_page_stops_the_token(app, api, viewer):
    user_id, client = viewer
    with app.server.app_context(), get_database().session_scope() as session:
        token, plaintext = create_token(session, user_id, "old laptop")
    assert api.get("/api/v1/ltv", headers=bearer(plaintext)).status_code == 200
    response = _change(app, client, revoke=token.id)
    assert "revoked" in response.get_data(as_text=True)
    assert api.get("/api/v1/ltv", headers=bearer(plaintext)).status_code == 401
    assert "old laptop" not in _list(app, client).get_data(as_text=True)


def test_another_users_token_cannot_be_revoked_from_the_page(
    app, api, viewer, make_user
):
    _user_id, client = viewer
    other_id, _email = make_user("admin")
    with app.server.app_context(), get_database().session_scope() as session:
        token, plaintext = create_token(session, other_id, "a colleague's")
    response = _change(app, client, revoke=token.id)
    assert "not one of your active tokens" in response.get_data(as_text=True)
    assert api.get("/api/v1/ltv", headers=bearer(plaintext)).status_code == 200


def test_a_token_without_a_name_is_refused_and_nothing_is_created(app, viewer):
    user_id, client = viewer
    response = _change(app, client, create=1, name="   ")
    assert "name" in response.get_data(as_text=True)
    assert not TOKEN_PATTERN.search(response.get_data(as_text=True))
    with app.server.app_context(), get_database().session_scope() as session:
        count = session.scalar(
            sa.select(sa.func.count()).where(ApiToken.user_id == user_id)
        )
    assert count == 0


def test_the_callbacks_refuse_anonymous_callers(app):
    client = app.server.test_client()
    assert _list(app, client).status_code == 401
    assert _change(app, client, create=1, name="x").status_code == 401


def _stored_scopes(app, user_id: int) -> list[str]:
    with app.server.app_context(), get_database().session_scope() as session:
        return session.scalars(
            sa.select(ApiToken.scope).where(ApiToken.user_id == user_id)
        ).all()


def _components(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if hasattr(child, "to_plotly_json"):
            yield from _components(child)


def test_the_access_choice_is_a_labelled_control_that_defaults_to_read_only(app):
    from pages.api_tokens import layout

    parts = list(_components(layout()))
    fieldset = next(c for c in parts if type(c).__name__ == "Fieldset")
    inside = list(_components(fieldset))
    assert [c.children for c in inside if type(c).__name__ == "Legend"] == ["Access"]
    radio = next(c for c in inside if getattr(c, "id", None) == "tokens-scope")
    assert radio.value == "read"
    assert [o["value"] for o in radio.options] == ["read", "read+write", "ingest"]
    labels = {c.html_for: c.children for c in parts if type(c).__name__ == "Label"}
    assert labels == {"tokens-name": "Token name"}


def test_a_read_and_write_token_is_created_when_chosen(app, viewer):
    user_id, client = viewer
    response = _change(app, client, create=1, name="deploy bot", scope="read+write")
    assert TOKEN_PATTERN.search(response.get_data(as_text=True))
    assert _stored_scopes(app, user_id) == ["read+write"]
    assert "Read and write" in _list(app, client).get_data(as_text=True)


def test_a_token_is_read_only_unless_write_is_chosen(app, viewer):
    user_id, client = viewer
    _change(app, client, create=1, name="dashboard", scope=None)
    assert _stored_scopes(app, user_id) == ["read"]


@pytest.mark.parametrize("scope", ["write", "admin", ["read+write"], 7])
def test_a_forged_access_value_is_refused_and_nothing_is_created(app, viewer, scope):
    user_id, client = viewer
    response = _change(app, client, create=1, name="forged", scope=scope)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert not TOKEN_PATTERN.search(body) and "access" in body
    assert _stored_scopes(app, user_id) == []
