"""The settings page's callbacks: list, change role, deactivate, reset — scoped, audited, refusing bad input.

Inviting (the page's way to add a user) is tested in tests/pages/test_invitations_page.py."""

from __future__ import annotations

import json
import re
import uuid

import pytest
import sqlalchemy as sa

from auth.passwords import verify_password
from data.db import get_database
from data.models import Organization, User
from tests.auth import dash_calls
from tests.auth.support import (
    audit_actions_for,
    counts,
    last_audit_id,
    member_factory,
    sign_in,
    user_row,
    users_snapshot,
)
from tests.factories import add_user, login

ACTION = "settings-action-message"
LIST = "settings-users"
CONFIRM = "settings-confirm"
PENDING = "settings-pending"


def text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return json.dumps(response.json, ensure_ascii=False)


def click(app, client, button: str, user_id, role="viewer"):
    """Click one of the "Change a user" buttons; the answer may be a question first."""
    body = dash_calls.triggered(
        app,
        ACTION,
        f"settings-{button}.n_clicks",
        {
            f"settings-{button}.n_clicks": 1,
            "settings-user.value": user_id,
            "settings-role.value": role,
            "settings-changed.data": 0,
        },
    )
    return dash_calls.post(client, body)


def question(response) -> dict | None:
    """The confirmation the click asked for ({"message", "pending"}), or None."""
    answer = response.json["response"]
    if not answer.get(CONFIRM, {}).get("displayed"):
        return None
    return {"message": answer[CONFIRM]["message"], "pending": answer[PENDING]["data"]}


def confirm(app, client, pending):
    """OK in the confirmation dialog, with what the click had asked."""
    body = dash_calls.triggered(
        app,
        ACTION,
        f"{CONFIRM}.submit_n_clicks",
        {
            f"{CONFIRM}.submit_n_clicks": 1,
            PENDING + ".data": pending,
            "settings-changed.data": 0,
        },
    )
    return dash_calls.post(client, body)


def act(app, client, button: str, user_id, role="viewer"):
    """Click, and say OK when a confirmation is asked: the action as an admin does it."""
    response = click(app, client, button, user_id, role)
    asked = question(response) if response.status_code == 200 else None
    return confirm(app, client, asked["pending"]) if asked else response


def shown_password(response) -> str:
    pattern = r'"children": "([^"]+)", "className": "[^"]*one-time-secret'
    match = re.search(pattern, text(response))
    assert match, text(response)[:800]
    return match.group(1)


@pytest.fixture
def members(app, world):
    yield from member_factory(app, world)


@pytest.fixture
def cleanup_emails(app):
    emails: list[str] = []
    yield emails
    with app.server.app_context(), get_database().session_scope() as session:
        session.execute(sa.delete(User).where(User.email.in_(emails)))


def test_list_shows_the_admins_organization_only(app, client_for, members):
    acme_viewer = members("acme", "viewer")
    globex_viewer = members("globex", "viewer")
    body = text(
        dash_calls.call(
            app, client_for("acme", "admin"), LIST, {"settings-changed.data": 0}
        )
    )
    assert acme_viewer.email in body and "admin@acme.test" in body
    assert globex_viewer.email not in body and "@globex.test" not in body


def test_change_role_deactivate_reactivate_and_reset(app, client_for, members):
    target = members("acme", "viewer")
    admin = client_for("acme", "admin")
    epoch = user_row(app, target.id)["session_epoch"]
    since = last_audit_id(app)

    assert "now analyst" in text(act(app, admin, "change-role", target.id, "analyst"))
    assert user_row(app, target.id)["role"] == "analyst"
    assert "deactivated" in text(act(app, admin, "deactivate", target.id))
    assert user_row(app, target.id)["is_active"] is False
    assert login(app.server.test_client(), target.email).status_code == 401
    assert "active" in text(act(app, admin, "reactivate", target.id))
    password = shown_password(act(app, admin, "reset-password", target.id))
    row = user_row(app, target.id)
    assert row["is_active"] is True and row["session_epoch"] == epoch + 4
    assert verify_password(row["password_hash"], password)
    assert login(app.server.test_client(), target.email, password).status_code == 302
    assert audit_actions_for(app, target.id, since) == [
        "role_changed",
        "user_deactivated",
        "user_reactivated",
        "password_reset",
    ]


@pytest.mark.parametrize("button", ["change-role", "deactivate", "reset-password"])
def test_another_organizations_admin_changes_nothing(app, client_for, members, button):
    acme_user = members("acme", "analyst")
    globex_admin = client_for("globex", "admin")
    before = users_snapshot(app, acme_user.organization_id), counts(app)
    for user_id in (acme_user.id, str(acme_user.id), f"{acme_user.id} OR 1=1"):
        body = text(act(app, globex_admin, button, user_id, "admin"))
        assert '"color": "warning"' in body and acme_user.email not in body
    assert (users_snapshot(app, acme_user.organization_id), counts(app)) == before


@pytest.mark.parametrize(
    "user_id", [None, "", "abc", True, [1], {"id": 1}, 1.5, -5, "9" * 40]
)
def test_bad_user_ids_change_nothing(app, client_for, user_id):
    admin = client_for("acme", "admin")
    before = users_snapshot(app, 1), counts(app)
    for button in ("change-role", "deactivate", "reactivate", "reset-password"):
        assert "Choose a user" in text(act(app, admin, button, user_id, "admin")) or (
            "No such user" in text(act(app, admin, button, user_id, "admin"))
        )
    assert (users_snapshot(app, 1), counts(app)) == before


@pytest.fixture
def lonely_org(app):
    """A new organization with a single admin (deleted afterwards, with everything in it)."""
    slug = f"solo-{uuid.uuid4().hex[:6]}"
    with app.server.app_context(), get_database().session_scope() as session:
        org = Organization(slug=slug, name="Solo Ltd")
        session.add(org)
        session.flush()
        admin = add_user(session, org.id, "admin", f"admin@{slug}.test")
        viewer = add_user(session, org.id, "viewer", f"viewer@{slug}.test")
        ids = org.id, admin.id, admin.email, viewer.id
    yield ids
    with app.server.app_context(), get_database().session_scope() as session:
        session.execute(sa.delete(Organization).where(Organization.id == ids[0]))


def test_the_last_admin_cannot_demote_or_deactivate_themself(app, lonely_org):
    org_id, admin_id, admin_email, viewer_id = lonely_org
    client = sign_in(app, admin_email)
    before = users_snapshot(app, org_id)
    for button in ("change-role", "deactivate"):
        body = text(act(app, client, button, admin_id, "analyst"))
        assert "at least one active admin" in body
    assert users_snapshot(app, org_id) == before
    # Promoting someone first makes it possible; the session then ends with the role change.
    assert "now admin" in text(act(app, client, "change-role", viewer_id, "admin"))
    assert "now viewer" in text(act(app, client, "change-role", admin_id, "viewer"))
    assert (
        dash_calls.call(app, client, LIST, {"settings-changed.data": 0}).status_code
        == 401
    )


def picked(app, client, user_id) -> dict:
    """What choosing ``user_id`` in the user picker shows: role picker, state, buttons."""
    response = dash_calls.call(
        app,
        client,
        "settings-user-state",
        {"settings-user.value": user_id, "settings-changed.data": 0},
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    answer = response.json["response"]
    return {
        "role": answer.get("settings-role", {}).get("value"),
        "state": json.dumps(answer["settings-user-state"]["children"]),
        "deactivate_shown": answer["settings-deactivate"]["style"] is None,
        "deactivate_disabled": answer["settings-deactivate"]["disabled"],
        "reactivate_shown": answer["settings-reactivate"]["style"] is None,
    }


@pytest.mark.parametrize("role", ["viewer", "analyst", "admin"])
def test_choosing_a_user_shows_their_current_role(app, client_for, members, role):
    target = members("acme", role)
    shown = picked(app, client_for("acme", "admin"), target.id)
    assert shown["role"] == role
    assert '"Active"' in shown["state"] and role.capitalize() in shown["state"]
    assert shown["deactivate_shown"] and not shown["deactivate_disabled"]
    assert not shown["reactivate_shown"]


def test_a_deactivated_user_shows_the_badge_and_only_reactivate(
    app, client_for, members
):
    target = members("acme", "analyst")
    admin = client_for("acme", "admin")
    act(app, admin, "deactivate", target.id)
    shown = picked(app, admin, target.id)
    assert '"Deactivated"' in shown["state"]
    assert not shown["deactivate_shown"] and shown["deactivate_disabled"]
    assert shown["reactivate_shown"]
    listed = text(dash_calls.call(app, admin, LIST, {"settings-changed.data": 1}))
    assert '"Deactivated"' in listed
    act(app, admin, "reactivate", target.id)
    shown = picked(app, admin, target.id)
    assert shown["deactivate_shown"] and not shown["reactivate_shown"]


@pytest.mark.parametrize("user_id", [None, "abc", 999_999_999, [1]])
def test_no_user_chosen_nothing_to_deactivate(app, client_for, user_id):
    shown = picked(app, client_for("acme", "admin"), user_id)
    assert shown["deactivate_disabled"] and not shown["reactivate_shown"]


def test_another_organizations_user_is_not_shown(app, client_for, members):
    acme_user = members("acme", "analyst")
    shown = picked(app, client_for("globex", "admin"), acme_user.id)
    assert acme_user.email not in shown["state"] and shown["deactivate_disabled"]


@pytest.mark.parametrize(
    "button, start_role, new_role",
    [
        ("deactivate", "viewer", "viewer"),
        ("deactivate", "admin", "admin"),
        ("change-role", "admin", "analyst"),
        ("change-role", "admin", "viewer"),
    ],
)
def test_destructive_actions_ask_first_and_cancel_changes_nothing(
    app, client_for, members, button, start_role, new_role
):
    target = members("acme", start_role)
    admin = client_for("acme", "admin")
    before = users_snapshot(app, target.organization_id), counts(app)
    since = last_audit_id(app)
    response = click(app, admin, button, target.id, new_role)
    asked = question(response)
    assert asked and target.email in asked["message"]
    assert asked["pending"] == {"action": button, "user": target.id, "role": new_role}
    assert response.json["response"].get("settings-changed") is None
    # Asking wrote nothing; Cancel forgets what was asked and writes nothing either.
    assert (users_snapshot(app, target.organization_id), counts(app)) == before
    (key,) = [
        k for k in dash_calls.server_callbacks(app) if k.startswith(f"{PENDING}.data@")
    ]  # the dialog's Cancel callback (the action callback writes the store too)
    cancel = dash_calls.payload(app, key, {f"{CONFIRM}.cancel_n_clicks": 1})
    cancelled = dash_calls.post(admin, cancel)
    assert dash_calls.response_of(cancelled, PENDING, "data") is None
    assert (users_snapshot(app, target.organization_id), counts(app)) == before
    assert audit_actions_for(app, target.id, since) == []
    # OK does it.
    done = text(confirm(app, admin, asked["pending"]))
    row = user_row(app, target.id)
    if button == "deactivate":
        assert "deactivated" in done and row["is_active"] is False
    else:
        assert f"now {new_role}" in done and row["role"] == new_role


@pytest.mark.parametrize(
    "button, start_role, new_role",
    [
        ("change-role", "viewer", "analyst"),
        ("change-role", "analyst", "admin"),
        ("change-role", "viewer", "admin"),
        ("change-role", "analyst", "viewer"),  # not an admin: nothing to lose
    ],
)
def test_harmless_changes_are_done_at_once(
    app, client_for, members, button, start_role, new_role
):
    target = members("acme", start_role)
    response = click(app, client_for("acme", "admin"), button, target.id, new_role)
    assert question(response) is None
    assert f"now {new_role}" in text(response)
    assert user_row(app, target.id)["role"] == new_role


def test_a_forged_confirmation_goes_through_the_same_checks(app, client_for, members):
    """The pending action comes back from the browser: OK with anything else in it is
    refused, and another organization's user stays untouched."""
    acme_user = members("acme", "analyst")
    globex_admin = client_for("globex", "admin")
    before = users_snapshot(app, acme_user.organization_id), counts(app)
    for pending in (
        None,
        "deactivate",
        {"action": "drop_table", "user": acme_user.id},
        {"action": "deactivate", "user": acme_user.id, "role": None},
        {"action": "change-role", "user": acme_user.id, "role": "admin"},
    ):
        body = text(confirm(app, globex_admin, pending))
        assert '"color": "warning"' in body and acme_user.email not in body
    assert (users_snapshot(app, acme_user.organization_id), counts(app)) == before
