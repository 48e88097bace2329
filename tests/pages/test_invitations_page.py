"""Inviting on /settings: one answer for every address, the right e-mail, revoke, tenancy, limits."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from data.db import get_database
from data.models import AuditLog, Invitation, OutboxEntry
from tests.auth import dash_calls
from tests.auth.support import last_audit_id
from tests.factories import login
from tests.pages.invitations import (
    INVITE,
    accept,
    answer,
    forget,
    forget_invitations,
    invitation_of,
    invite,
    link_token,
    revoke,
    users_list,
    visitor,
    written,
)


@pytest.fixture
def emails(app):
    made: list[str] = []
    yield made
    forget(app, made)


@pytest.fixture
def emails_invited_only(app):
    """Addresses of accounts that exist: their invitations are deleted afterwards, not them."""
    made: list[str] = []
    yield made
    forget_invitations(app, made)


def fresh(emails, domain="example.test") -> str:
    email = f"inv-{uuid.uuid4().hex[:8]}@{domain}"
    emails.append(email)
    return email


def test_a_fresh_address_and_another_organizations_address_get_the_same_answer(
    app, client_for, emails, emails_invited_only, smtp_sink
):
    admin = client_for("acme", "admin")
    new_address = fresh(emails)
    taken = "viewer@globex.test"  # has an account, in another organization
    emails_before = len(smtp_sink.messages)
    first, second = invite(app, admin, new_address), invite(app, admin, taken)
    # Its invitation goes afterwards (forget_invitations), never the account: other tests sign
    # in as that user.
    emails_invited_only.append(taken)
    assert answer(first).replace(new_address, "ADDRESS") == answer(second).replace(
        taken, "ADDRESS"
    )
    assert f"Invitation sent to {new_address}. It is valid for 7 days." in answer(first)
    listed = users_list(app, admin)
    assert new_address in listed and taken in listed

    # Each row of the list is the same but for the address and the invitation's id and times.
    def row(address):
        invitation = invitation_of(app, address)
        start = listed.index(address)
        text = listed[listed.rindex('"Tr"', 0, start) : listed.index('"Tr"', start)]
        text = text.replace(address, "ADDRESS")
        text = text.replace(f'"index": {invitation.id}', '"index": ID')
        return text.replace(invitation.expires_at.strftime("%Y-%m-%d %H:%M"), "EXPIRES")

    assert row(new_address) == row(taken)

    # The e-mails differ, and only their recipients read them.
    join, notice = smtp_sink.to(new_address)[-1], smtp_sink.to(taken)[-1]
    assert len(smtp_sink.messages) == emails_before + 2
    assert link_token(join) and "Acme" in join["Subject"]
    assert link_token(notice) is None and "/invite/" not in notice.get_content()
    assert "already has a KIKI Analytics account" in notice.get_content()
    assert join["Subject"] == notice["Subject"]


def test_the_audit_row_says_the_same_for_both(
    app, client_for, emails, emails_invited_only
):
    admin = client_for("acme", "admin")
    since = last_audit_id(app)
    new_address = fresh(emails)
    invite(app, admin, new_address, role="analyst")
    invite(app, admin, "analyst@globex.test", role="analyst")
    emails_invited_only.append("analyst@globex.test")  # the account stays
    with app.server.app_context(), get_database().session_scope() as session:
        rows = session.execute(
            sa.select(AuditLog.action, AuditLog.target_type, AuditLog.details)
            .where(AuditLog.id > since)
            .order_by(AuditLog.id)
        ).all()
    assert [r.action for r in rows] == ["user_invited", "user_invited"]
    assert rows[0].details == {"email": new_address, "role": "analyst"}
    assert rows[1].details == {"email": "analyst@globex.test", "role": "analyst"}


def test_the_invitee_follows_the_link_and_signs_in(app, client_for, emails, smtp_sink):
    admin = client_for("acme", "admin")
    email = fresh(emails)
    invite(app, admin, email, name="Ivy Invited", role="analyst")
    token = link_token(smtp_sink.to(email)[-1])
    assert token
    invitee = visitor(app)
    page = invitee.get(f"/invite/{token}")
    assert page.status_code == 200 and email in page.get_data(as_text=True)
    response = accept(invitee, token, password="a long fresh passphrase 7")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/login?joined=1"
    )
    assert login(visitor(app), email, "a long fresh passphrase 7").status_code == 302
    listed = users_list(app, admin)
    assert (
        email in listed and "settings-revoke" not in listed
    )  # a user now, not invited


def test_an_address_already_in_this_organization_is_told_plainly(
    app, client_for, smtp_sink
):
    admin = client_for("acme", "admin")
    before, mails = written(app), len(smtp_sink.messages)
    response = invite(app, admin, "viewer@acme.test")
    assert "viewer@acme.test is already a member of this organization." in answer(
        response
    )
    assert written(app) == before and len(smtp_sink.messages) == mails


def test_the_delivered_outbox_row_keeps_no_token(app, client_for, emails, smtp_sink):
    email = fresh(emails)
    invite(app, client_for("acme", "admin"), email)
    token = link_token(smtp_sink.to(email)[-1])
    invitation = invitation_of(app, email)
    with app.server.app_context(), get_database().session_scope() as session:
        entry = session.scalar(
            sa.select(OutboxEntry)
            .where(OutboxEntry.kind == "invitation_mail")
            .order_by(OutboxEntry.id.desc())
        )
        assert entry.payload == {"invitation_id": invitation.id}
        assert entry.delivered_at is not None
    assert token not in repr(invitation.__dict__)


def test_inviting_again_replaces_the_pending_invitation(
    app, client_for, emails, smtp_sink
):
    admin = client_for("acme", "admin")
    email = fresh(emails)
    invite(app, admin, email)
    old = link_token(smtp_sink.to(email)[-1])
    invite(app, admin, email)
    tokens = [link_token(m) for m in smtp_sink.to(email)]
    assert len(tokens) == 2 and tokens[0] == old
    assert visitor(app).get(f"/invite/{old}").status_code == 404
    assert visitor(app).get(f"/invite/{tokens[1]}").status_code == 200
    assert users_list(app, admin).count(email) == 1


def test_revoke_kills_the_link(app, client_for, emails, smtp_sink):
    admin = client_for("acme", "admin")
    email = fresh(emails)
    invite(app, admin, email)
    token = link_token(smtp_sink.to(email)[-1])
    response = revoke(app, admin, invitation_of(app, email).id)
    assert f"Invitation to {email} revoked." in answer(response)
    assert email not in users_list(app, admin)
    assert visitor(app).get(f"/invite/{token}").status_code == 404


def test_another_organizations_admin_neither_sees_nor_revokes(
    app, client_for, emails, smtp_sink
):
    email = fresh(emails)
    invite(app, client_for("acme", "admin"), email)
    invitation = invitation_of(app, email)
    globex = client_for("globex", "admin")
    assert email not in users_list(app, globex)
    before = written(app)
    response = revoke(app, globex, invitation.id)
    assert "No such pending invitation in your organization." in answer(response)
    assert written(app) == before and invitation_of(app, email).revoked_at is None


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_viewers_and_analysts_cannot_invite_or_revoke(app, client_for, emails, role):
    client = client_for("acme", role)
    before = written(app)
    assert invite(app, client, fresh(emails)).status_code == 403
    assert revoke(app, client, 1).status_code == 403
    assert written(app) == before


def test_invitations_are_rate_limited_per_admin(app, client_for, emails, monkeypatch):
    monkeypatch.setitem(app.server.config, "KIKI_INVITATION_RATE_LIMIT", "2 per hour")
    admin = client_for("acme", "admin")
    for _ in range(2):
        assert "Invitation sent to" in answer(invite(app, admin, fresh(emails)))
    before = written(app)
    refused = answer(invite(app, admin, fresh(emails)))
    assert "Too many invitations. Try again in" in refused
    assert written(app) == before
    # Another admin has their own budget.
    other = client_for("globex", "admin")
    assert "Invitation sent to" in answer(invite(app, other, fresh(emails)))


BAD_FORMS = [
    {"email": None},
    {"email": ""},
    {"email": "x" * 10_000 + "@acme.test"},
    {"email": "ünï@cödé.test"},
    {"email": "'; DROP TABLE users; --"},
    {"email": "<script>alert(1)</script>@x.test"},
    {"email": ["a@b.test"]},
    {"email": {"$ne": 1}},
    {"name": ""},
    {"name": "n" * 10_000},
    {"name": ["x"]},
    {"role": "owner"},
    {"role": None},
    {"role": 3},
    {"role": "admin'--"},
]


@pytest.mark.parametrize("bad", BAD_FORMS, ids=lambda bad: repr(bad)[:40])
def test_bad_input_on_the_invite_form_changes_nothing(app, client_for, bad, smtp_sink):
    values = {"email": f"ok-{uuid.uuid4().hex[:8]}@acme.test", "name": "Okay"}
    values.update(bad)
    admin = client_for("acme", "admin")
    before, mails = written(app), len(smtp_sink.messages)
    response = invite(app, admin, **values)
    assert '"color": "warning"' in answer(response)  # a message for the person
    assert response.json["response"].get("settings-changed") is None
    assert written(app) == before and len(smtp_sink.messages) == mails


def test_the_organization_comes_from_the_session_not_the_form(app, client_for, emails):
    email = fresh(emails, "acme.test")  # an "acme" address, invited by globex
    invite(app, client_for("globex", "admin"), email)
    with app.server.app_context(), get_database().session_scope() as session:
        invitation = session.scalar(
            sa.select(Invitation).where(Invitation.email == email)
        )
        assert invitation.organization_id != session.scalar(
            sa.text("select id from organizations where slug = 'acme'")
        )


def test_the_invite_callback_needs_csrf(app, client_for, emails):
    admin = client_for("acme", "admin")
    before = written(app)
    body = dash_calls.payload(
        app,
        dash_calls.callback_key(app, INVITE),
        {"settings-new-email.value": fresh(emails)},
    )
    assert dash_calls.post(admin, body, csrf=False).status_code == 400
    assert written(app) == before
