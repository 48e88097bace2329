"""Helpers for invitation tests: invite and revoke through the settings callbacks, read the link
from the e-mail the SMTP sink received, and answer the invitation form."""

from __future__ import annotations

import json
import re
import secrets

import sqlalchemy as sa

from data.db import get_database
from data.models import AuditLog, Invitation, OutboxEntry, User
from tests.auth import dash_calls
from tests.factories import csrf_token

INVITE = "settings-invite-message"
LIST = "settings-users"
LIST_MESSAGE = "settings-list-message"
REVOKE_TYPE = "settings-revoke"
LINK = re.compile(r"https?://[^\s]+/invite/([A-Za-z0-9_-]+)")


def invite(app, client, email, name="Invited Person", role="viewer", version=3):
    return dash_calls.call(
        app,
        client,
        INVITE,
        {
            "settings-invite.n_clicks": 1,
            "settings-new-email.value": email,
            "settings-new-name.value": name,
            "settings-new-role.value": role,
            "settings-changed.data": version,
        },
    )


def revoke(app, client, invitation_id):
    key = dash_calls.callback_key(app, LIST_MESSAGE)
    body = dash_calls.payload(app, key, {"settings-changed.data": 0})
    button = {"index": invitation_id, "type": REVOKE_TYPE}
    body["inputs"] = [[{"id": button, "property": "n_clicks", "value": 1}]]
    body["changedPropIds"] = [json.dumps(button, separators=(",", ":")) + ".n_clicks"]
    return dash_calls.post(client, body)


def users_list(app, client) -> str:
    response = dash_calls.call(app, client, LIST, {"settings-changed.data": 0})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return json.dumps(response.json["response"][LIST], ensure_ascii=False)


def answer(response) -> str:
    """The invite callback's whole answer, as text."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return json.dumps(response.json["response"], ensure_ascii=False, sort_keys=True)


def link_token(message) -> str | None:
    match = LINK.search(message.get_content())
    return match.group(1) if match else None


def invitation_of(app, email) -> Invitation | None:
    """The newest invitation of ``email``."""
    with app.server.app_context(), get_database().session_scope() as session:
        invitation = session.scalar(
            sa.select(Invitation)
            .where(Invitation.email == email)
            .order_by(Invitation.id.desc())
        )
        if invitation is not None:
            session.expunge(invitation)
        return invitation


def accept(
    client, token, name="Ivy Invited", password="a long fresh passphrase 7", **extra
):
    """POST the invitation form with the session's CSRF token."""
    path = f"/invite/{token}"
    data = {"name": name, "password": password, "repeated": password, **extra}
    data.setdefault("csrf_token", csrf_token(client))  # one per session, any form
    return client.post(path, data=data)


def written(app) -> tuple[int, ...]:
    """(users, invitations, audit rows, outbox rows): a refusal leaves all four alone."""
    with app.server.app_context(), get_database().session_scope() as session:
        return tuple(
            session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (User, Invitation, AuditLog, OutboxEntry)
        )


def forget(app, emails) -> None:
    """Delete the users and invitations of ``emails`` (addresses a test made up)."""
    with app.server.app_context(), get_database().session_scope() as session:
        session.execute(sa.delete(Invitation).where(Invitation.email.in_(emails)))
        session.execute(sa.delete(User).where(User.email.in_(emails)))


def forget_invitations(app, emails) -> None:
    """Delete only the invitations of ``emails`` (their accounts stay)."""
    with app.server.app_context(), get_database().session_scope() as session:
        session.execute(sa.delete(Invitation).where(Invitation.email.in_(emails)))


def visitor(app):
    """A signed-out test client from an address of its own: the invitation door counts failed
    links per address (auth/address_limits.py), and no test should spend another's budget."""
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = "10." + ".".join(
        str(secrets.randbelow(250) + 1) for _ in range(3)
    )
    return client
