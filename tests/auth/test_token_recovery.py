"""Personal API tokens die with the user's sessions, and admins list and revoke their org's."""

from __future__ import annotations

import pytest

from data.db import get_database
from data.scope import PermissionDenied, Scope
from data.writes import users
from data.writes.api_tokens import create_token, token_owner
from data.writes.org_tokens import (
    organization_tokens,
    revoke_organization_token,
)
from tests.auth import dash_calls
from tests.auth.support import member_factory, sign_in
from tests.factories import PASSWORD

NEW_PASSWORD = "violet tram umbrella 58"


@pytest.fixture
def members(app, world):
    yield from member_factory(app, world)


def token_for(app, user_id: int) -> str:
    with app.server.app_context(), get_database().session_scope() as session:
        _token, plaintext = create_token(session, user_id, "script")
    return plaintext


def api_status(app, plaintext: str) -> int:
    client = app.server.test_client()
    headers = {"Authorization": f"Bearer {plaintext}"}
    return client.get("/api/v1/campaigns", headers=headers).status_code


def works(app, plaintext: str) -> bool:
    with app.server.app_context(), get_database().session_scope() as session:
        return token_owner(session, plaintext) is not None


def admin_scope(world, slug="acme") -> Scope:
    return Scope(world["orgs"][slug], "admin", None)


def run(app, change) -> None:
    with app.server.app_context(), get_database().session_scope() as session:
        change(session)


EVENTS = {
    "role change": lambda s, sc, m: users.change_role(s, sc, m.id, "analyst"),
    "password reset": lambda s, sc, m: users.reset_password(s, sc, m.id),
    "deactivation": lambda s, sc, m: users.set_active(s, sc, m.id, False),
    "own password change": lambda s, sc, m: users.change_own_password(
        s,
        Scope(m.organization_id, "viewer", m.id),
        PASSWORD,
        NEW_PASSWORD,
        NEW_PASSWORD,
    ),
}


@pytest.mark.parametrize("event", list(EVENTS))
def test_account_recovery_revokes_personal_tokens(app, world, members, event):
    member = members("acme", "viewer")
    plaintext = token_for(app, member.id)
    assert works(app, plaintext) and api_status(app, plaintext) == 200
    run(app, lambda s: EVENTS[event](s, admin_scope(world), member))
    assert not works(app, plaintext), event
    assert api_status(app, plaintext) == 401, event


def test_a_reactivated_user_does_not_get_old_tokens_back(app, world, members):
    member = members("acme", "analyst")
    plaintext = token_for(app, member.id)
    scope = admin_scope(world)
    run(app, lambda s: users.set_active(s, scope, member.id, False))
    run(app, lambda s: users.set_active(s, scope, member.id, True))
    assert not works(app, plaintext) and api_status(app, plaintext) == 401
    assert works(app, token_for(app, member.id))  # new ones work


def test_sign_out_everywhere_revokes_personal_tokens(app, members):
    member = members("acme", "viewer")
    plaintext = token_for(app, member.id)
    client = sign_in(app, member.email)
    client.get("/_dash-layout")  # the CSRF cookie
    response = client.post("/logout", headers=dash_calls.csrf_headers(client))
    assert response.status_code in (302, 303)
    assert api_status(app, plaintext) == 401


def test_other_users_tokens_survive(app, world, members):
    member, bystander = members("acme", "viewer"), members("acme", "viewer")
    kept = token_for(app, bystander.id)
    token_for(app, member.id)
    run(app, lambda s: users.reset_password(s, admin_scope(world), member.id))
    assert works(app, kept)


def test_admins_list_and_revoke_their_organizations_tokens_only(app, world, members):
    mine, theirs = members("acme", "analyst"), members("globex", "viewer")
    mine_token, their_token = token_for(app, mine.id), token_for(app, theirs.id)
    with app.server.app_context(), get_database().session_scope() as session:
        listed = organization_tokens(session, admin_scope(world))
        assert mine.email in set(listed["email"])
        assert theirs.email not in set(listed["email"])
        their_id = int(
            organization_tokens(session, admin_scope(world, "globex"))
            .query("email == @theirs.email")["token_id"]
            .iloc[0]
        )
        assert not revoke_organization_token(session, admin_scope(world), their_id)
        with pytest.raises(PermissionDenied):
            organization_tokens(session, Scope(world["orgs"]["acme"], "analyst"))
        mine_id = int(listed.query("email == @mine.email")["token_id"].iloc[0])
        assert revoke_organization_token(session, admin_scope(world), mine_id)
    assert not works(app, mine_token) and works(app, their_token)


def test_the_admin_page_lists_and_revokes(app, world, members, client_for):
    member = members("acme", "viewer")
    plaintext = token_for(app, member.id)
    admin = client_for("acme", "admin")
    admin.get("/")
    listed = dash_calls.call(app, admin, "org-keys-table")
    assert member.email in listed.get_data(as_text=True)
    with app.server.app_context(), get_database().session_scope() as session:
        frame = organization_tokens(session, admin_scope(world))
        token_id = int(frame.query("email == @member.email")["token_id"].iloc[0])
    key = dash_calls.callback_key(app, "org-keys-notice")
    body = dash_calls.payload(app, key, {"org-keys-version.data": 0})
    body["inputs"][0] = [
        {
            "id": {"type": "org-keys-revoke", "index": token_id},
            "property": "n_clicks",
            "value": 1,
        }
    ]
    body["changedPropIds"] = [
        f'{{"index":{token_id},"type":"org-keys-revoke"}}.n_clicks'
    ]
    response = dash_calls.post(admin, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    # The click asks first (a dialog naming the token's owner); asking revokes nothing.
    asked = response.json["response"]
    assert asked["org-keys-confirm"]["displayed"] is True
    assert member.email in asked["org-keys-confirm"]["message"]
    assert asked["org-keys-pending"]["data"] == token_id
    assert "revoked" not in response.get_data(as_text=True)
    assert api_status(app, plaintext) == 200
    ok = dash_calls.payload(
        app,
        key,
        {
            "org-keys-version.data": 0,
            "org-keys-confirm.submit_n_clicks": 1,
            "org-keys-pending.data": token_id,
        },
    )
    ok["changedPropIds"] = ["org-keys-confirm.submit_n_clicks"]
    response = dash_calls.post(admin, ok)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "revoked" in response.get_data(as_text=True)
    assert api_status(app, plaintext) == 401


@pytest.mark.parametrize("forged", ["their token", None, "abc", True, [1]])
def test_a_forged_confirmation_revokes_nothing(app, world, members, client_for, forged):
    """What the revoke dialog confirms comes back from the browser: another organization's
    token, or anything not a token id, is refused and left working."""
    theirs = members("acme", "viewer")
    plaintext = token_for(app, theirs.id)
    with app.server.app_context(), get_database().session_scope() as session:
        frame = organization_tokens(session, admin_scope(world))
        their_id = int(frame.query("email == @theirs.email")["token_id"].iloc[0])
    globex_admin = client_for("globex", "admin")
    globex_admin.get("/")
    key = dash_calls.callback_key(app, "org-keys-notice")
    ok = dash_calls.payload(
        app,
        key,
        {
            "org-keys-version.data": 0,
            "org-keys-confirm.submit_n_clicks": 1,
            "org-keys-pending.data": their_id if forged == "their token" else forged,
        },
    )
    ok["changedPropIds"] = ["org-keys-confirm.submit_n_clicks"]
    response = dash_calls.post(globex_admin, ok)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "not an active token of your organization" in response.get_data(as_text=True)
    assert api_status(app, plaintext) == 200
