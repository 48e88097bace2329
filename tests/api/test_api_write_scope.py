"""Who may write through the API: access tokens from the password grant and personal tokens with
the read+write scope; a read-only token is refused every write with 403 insufficient_scope."""

from __future__ import annotations

import pytest

from api.lifecycle_spec import OPERATIONS
from data.db import get_database
from data.writes.api_tokens import create_token
from tests.api.conftest import bearer
from tests.api.lifecycle_helpers import API, created_id, row_counts, submitted_id
from tests.data.lifecycle.conftest import campaign_body
from tests.factories import PASSWORD, add_user

WRITES = [op for op in OPERATIONS if op.writes]


def _personal_token(app, user_id: int, scope: str) -> dict:
    with app.server.app_context(), get_database().session_scope() as session:
        _token, plaintext = create_token(
            session, user_id, f"{scope} script", scope=scope
        )
    return bearer(plaintext)


def _call(api, operation, campaign_id: int, headers: dict):
    path = API + operation.path.replace("{campaign_id}", str(campaign_id))
    body = {
        "create_campaign": campaign_body(name="By script"),
        "edit_campaign": {"name": "Edited by script"},
        "reject_campaign": {"reason": "no"},
        "mark_notifications_read": {"all": True},
    }.get(operation.name)
    kwargs = {"json": body} if body is not None else {}
    return api.open(path, method=operation.method.upper(), headers=headers, **kwargs)


@pytest.mark.parametrize("operation", WRITES, ids=lambda op: op.name)
def test_a_read_only_token_is_refused_every_write(app, api, shop, operation):
    admin_reader = _personal_token(app, shop["ids"]["admin"], "read")
    campaign_id = submitted_id(api, shop)
    before = row_counts(app, shop["org"])
    response = _call(api, operation, campaign_id, admin_reader)
    assert response.status_code == 403, response.get_data(as_text=True)
    error = response.json["error"]
    assert error["code"] == "insufficient_scope"
    assert error["message"] == (
        "This API token is read-only: writes need a personal token with read and write "
        "access (create one at /profile/tokens) or an access token from "
        "POST /api/v1/auth/token."
    )
    assert response.headers["WWW-Authenticate"] == (
        'Bearer realm="kiki-api", error="insufficient_scope", scope="read+write"'
    )
    assert row_counts(app, shop["org"]) == before


def test_a_read_only_token_still_reads(app, api, shop):
    reader = _personal_token(app, shop["ids"]["analyst"], "read")
    submitted_id(api, shop)
    for path in ("/approvals", "/notifications", "/campaigns"):
        assert api.get(API + path, headers=reader).status_code == 200, path


def test_a_read_and_write_token_writes_with_its_users_role(app, api, shop):
    writer = _personal_token(app, shop["ids"]["analyst"], "read+write")
    created = api.post(f"{API}/campaigns", json=campaign_body(), headers=writer)
    assert created.status_code == 201
    campaign_id = created.json["data"]["campaign_id"]
    submitted = api.post(f"{API}/campaigns/{campaign_id}/submit", headers=writer)
    assert submitted.status_code == 200
    approve = api.post(f"{API}/campaigns/{campaign_id}/approve", headers=writer)
    assert approve.status_code == 403  # the scope never lifts the role
    assert approve.json["error"]["code"] == "forbidden"


def test_a_viewers_write_token_is_still_a_viewer(app, api, shop):
    writer = _personal_token(app, shop["ids"]["viewer"], "read+write")
    response = api.post(f"{API}/campaigns", json=campaign_body(), headers=writer)
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    marked = api.post(f"{API}/notifications/read", json={"all": True}, headers=writer)
    assert marked.status_code == 200  # a viewer's own notifications are theirs to mark


def test_an_access_token_from_the_password_grant_writes(app, api, shop):
    with app.server.app_context(), get_database().session_scope() as session:
        user = add_user(session, shop["org"], "analyst", f"grant@{shop['slug']}.test")
        email = user.email
    grant = api.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.29.0.7"},  # its own address: no shared limit
    )
    assert grant.status_code == 200, grant.get_data(as_text=True)
    token = grant.json["access_token"]
    response = api.post(f"{API}/campaigns", json=campaign_body(), headers=bearer(token))
    assert response.status_code == 201


def test_existing_tokens_stay_read_only(app, api, shop):
    """A token created without a scope (as every token before scopes existed) cannot write."""
    with app.server.app_context(), get_database().session_scope() as session:
        _token, plaintext = create_token(session, shop["ids"]["analyst"], "old")
    campaign_id = created_id(api, shop)
    response = api.delete(f"{API}/campaigns/{campaign_id}", headers=bearer(plaintext))
    assert response.status_code == 403
    assert response.json["error"]["code"] == "insufficient_scope"
