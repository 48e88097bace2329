"""data/writes/invitations.py: only the token's hash is stored, the e-mail is enqueued with the
invitation, every address gets the same rows, and a bad token writes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa

from auth.crypto import Cipher
from auth.passwords import PASSWORDS, verify_password
from data.models import AuditLog, Invitation, Organization, OutboxEntry, User
from data.outbox import SEALED
from data.reads.users import pending_invitations
from data.scope import PermissionDenied, Scope
from data.writes import invitations
from data.writes.user_rules import UserError
from tests.conftest import count_rows
from tests.data.writes.test_users import add_user
from tests.factories import TEST_ENCRYPTION_KEY

CIPHER = Cipher([TEST_ENCRYPTION_KEY])
PASSWORD = "a long fresh passphrase 7"


@pytest.fixture
def orgs(session):
    a, b = Organization(slug="a", name="A Corp"), Organization(slug="b", name="B Corp")
    session.add_all([a, b])
    session.flush()
    admin = add_user(session, a.id, "admin", "admin@a.test")
    add_user(session, a.id, "viewer", "viewer@a.test")
    b_admin = add_user(session, b.id, "admin", "admin@b.test")
    return (
        Scope(a.id, "admin", admin.id),
        Scope(b.id, "admin", b_admin.id),
    )


def invite(session, scope, email, role="viewer"):
    return invitations.invite_user(
        session, scope, email=email, name="Ivy", role=role, cipher=CIPHER
    )


def token_of(session, invitation) -> str:
    entry = session.scalar(
        sa.select(OutboxEntry).where(
            OutboxEntry.kind == invitations.MAIL_KIND,
            OutboxEntry.payload["invitation_id"].as_integer() == invitation.id,
        )
    )
    return CIPHER.decrypt(entry.payload[SEALED].encode())


def snapshot(session) -> tuple:
    return tuple(
        count_rows(session, model)
        for model in (User, Invitation, AuditLog, OutboxEntry)
    )


def test_an_invitation_keeps_the_tokens_hash_and_enqueues_the_mail(session, orgs):
    a, _b = orgs
    invitation = invite(session, a, "  New.Person@Example.TEST ")
    token = token_of(session, invitation)
    assert invitation.email == "new.person@example.test"
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert len(token) >= 43 and token not in str(
        session.execute(sa.select(Invitation.__table__)).all()
    )
    expires = invitation.expires_at.replace(
        tzinfo=invitation.expires_at.tzinfo or dt.UTC
    )
    assert (
        dt.timedelta(days=6, hours=23)
        < expires - dt.datetime.now(dt.UTC)
        <= dt.timedelta(days=7)
    )
    audit = session.scalar(sa.select(AuditLog).order_by(AuditLog.id.desc()))
    assert (audit.action, audit.target_type) == ("user_invited", "invitation")
    assert audit.details == {"email": "new.person@example.test", "role": "viewer"}


def test_every_address_outside_the_organization_gets_the_same_rows(session, orgs):
    a, _b = orgs

    def rows_for(email):
        before = snapshot(session)
        invitation = invite(session, a, email)
        after = snapshot(session)
        audit = session.scalar(sa.select(AuditLog).order_by(AuditLog.id.desc()))
        return (
            [y - x for x, y in zip(before, after, strict=True)],
            {k: v for k, v in audit.details.items() if k != "email"},
            (invitation.role, invitation.accepted_at, invitation.revoked_at),
        )

    assert rows_for("fresh@example.test") == rows_for("admin@b.test")


def test_a_member_of_this_organization_is_refused_and_nothing_written(session, orgs):
    a, _b = orgs
    before = snapshot(session)
    with pytest.raises(UserError, match="already a member"):
        invite(session, a, "VIEWER@a.test")
    assert snapshot(session) == before


def test_only_admins_invite_and_revoke(session, orgs):
    a, _b = orgs
    invitation = invite(session, a, "x@example.test")
    for role in ("viewer", "analyst"):
        scope = Scope(a.organization_id, role, a.user_id)
        with pytest.raises(PermissionDenied):
            invite(session, scope, "y@example.test")
        with pytest.raises(PermissionDenied):
            invitations.revoke_invitation(session, scope, invitation.id)


def test_another_organization_cannot_revoke_or_list(session, orgs):
    a, b = orgs
    invitation = invite(session, a, "x@example.test")
    with pytest.raises(UserError, match="No such pending invitation"):
        invitations.revoke_invitation(session, b, invitation.id)
    assert invitation.revoked_at is None
    assert pending_invitations(session, b).empty
    assert list(pending_invitations(session, a)["email"]) == ["x@example.test"]


def accept(session, token, **values):
    values = {
        "name": "Ivy Invited",
        "password": PASSWORD,
        "repeated": PASSWORD,
        **values,
    }
    return invitations.accept_invitation(session, token, hasher=PASSWORDS, **values)


def test_accepting_creates_the_user_and_closes_the_invitation(session, orgs):
    a, _b = orgs
    invitation = invite(session, a, "x@example.test", role="analyst")
    user = accept(session, token_of(session, invitation))
    assert (user.email, user.role, user.organization_id) == (
        "x@example.test",
        "analyst",
        a.organization_id,
    )
    assert verify_password(user.password_hash, PASSWORD)
    assert invitation.accepted_at is not None and invitation.user_id == user.id
    audit = session.scalar(sa.select(AuditLog).order_by(AuditLog.id.desc()))
    assert (audit.action, audit.actor_user_id) == ("invitation_accepted", user.id)
    assert pending_invitations(session, a).empty


@pytest.mark.parametrize(
    "values, message",
    [
        ({"password": "password1234", "repeated": "password1234"}, "common"),
        ({"password": "short", "repeated": "short"}, "12"),
        ({"repeated": "something else entirely"}, "differ"),
        ({"name": ""}, "name"),
    ],
)
def test_a_bad_form_is_told_and_writes_nothing(session, orgs, values, message):
    a, _b = orgs
    invitation = invite(session, a, "x@example.test")
    before = snapshot(session)
    with pytest.raises(UserError, match=message):
        accept(session, token_of(session, invitation), **values)
    assert snapshot(session) == before and invitation.accepted_at is None


def test_used_revoked_expired_and_forged_tokens_get_one_answer(session, orgs):
    a, _b = orgs
    used = invite(session, a, "used@example.test")
    used_token = token_of(session, used)
    accept(session, used_token)
    revoked = invite(session, a, "revoked@example.test")
    invitations.revoke_invitation(session, a, revoked.id)
    expired = invite(session, a, "expired@example.test")
    expired.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    session.flush()
    tokens = [
        used_token,
        token_of(session, revoked),
        token_of(session, expired),
        "forged-" + "x" * 40,
        "",
        "x" * 10_000,
        None,
        ["list"],
    ]
    before = snapshot(session)
    for token in tokens:
        with pytest.raises(invitations.InvalidInvitation) as refused:
            accept(session, token)
        assert str(refused.value) == invitations.INVALID_INVITATION
    assert snapshot(session) == before


def test_an_address_that_got_an_account_meanwhile_closes_the_invitation(session, orgs):
    a, b = orgs
    invitation = invite(session, a, "late@example.test")
    token = token_of(session, invitation)
    add_user(session, b.organization_id, "viewer", "late@example.test")
    users_before = count_rows(session, User)
    with pytest.raises(invitations.InvalidInvitation):
        accept(session, token)
    assert invitation.revoked_at is not None
    assert count_rows(session, User) == users_before
