"""/invite/<token>: public, CSRF-protected, one answer for every bad link, nothing written by one."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

import pytest
import sqlalchemy as sa

from data.db import get_database
from data.models import Invitation, Organization, User
from data.writes.invitations import INVALID_INVITATION, token_hash
from tests.factories import add_user, csrf_token, login
from tests.pages.invitations import accept, forget, visitor, written

PASSWORD = "a long fresh passphrase 7"
NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def invitations(app):
    """invitations(**fields) -> (token, email): a pending acme invitation written directly."""
    emails: list[str] = []

    def make(**fields):
        token = secrets.token_urlsafe(32)
        email = fields.pop("email", f"route-{uuid.uuid4().hex[:8]}@example.test")
        emails.append(email)
        with app.server.app_context(), get_database().session_scope() as session:
            org = session.scalar(
                sa.select(Organization.id).where(Organization.slug == "acme")
            )
            session.add(
                Invitation(
                    organization_id=org,
                    email=email,
                    name="Route Person",
                    role="viewer",
                    token_hash=token_hash(token),
                    **{"expires_at": NOW + dt.timedelta(days=7), **fields},
                )
            )
        return token, email

    yield make
    forget(app, emails)


def invalid(response) -> bool:
    body = response.get_data(as_text=True)
    return (
        response.status_code == 404
        and INVALID_INVITATION.replace("(", "").split()[0] in body
        and 'id="invite-form"' not in body
        and "Route Person" not in body
    )


def test_a_valid_link_shows_the_form_and_creates_the_account(app, invitations):
    token, email = invitations()
    client = visitor(app)
    page = client.get(f"/invite/{token}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and email in body and "Join Acme" in body
    assert 'name="csrf_token"' in body and "no-store" in page.headers["Cache-Control"]
    response = accept(client, token, password=PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert "joined=1" in response.headers["Location"]
    joined = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your account is ready" in joined
    assert login(visitor(app), email, PASSWORD).status_code == 302
    assert invalid(visitor(app).get(f"/invite/{token}"))  # used: gone


@pytest.mark.parametrize(
    "fields",
    [
        {"expires_at": NOW - dt.timedelta(seconds=1)},
        {"revoked_at": NOW},
        {"accepted_at": NOW},
    ],
    ids=["expired", "revoked", "used"],
)
def test_expired_revoked_and_used_links_get_the_one_answer(app, invitations, fields):
    token, _email = invitations(**fields)
    client = visitor(app)
    assert invalid(client.get(f"/invite/{token}"))
    before = written(app)
    assert invalid(accept(client, token))
    assert written(app) == before


@pytest.mark.parametrize(
    "path",
    [
        "/invite/" + secrets.token_urlsafe(32),
        "/invite/",
        "/invite/a/b",
        "/invite/" + "x" * 5000,
        "/invite/%00",
        "/invite/..%2F..%2Fsettings",
    ],
)
def test_forged_links_get_the_same_answer_and_write_nothing(app, path):
    client = visitor(app)
    assert invalid(client.get(path))
    before = written(app)
    data = {"name": "X", "password": PASSWORD, "repeated": PASSWORD}
    assert invalid(client.post(path, data={**data, "csrf_token": csrf_token(client)}))
    assert written(app) == before


def test_the_form_needs_its_csrf_token(app, invitations):
    token, _email = invitations()
    client = visitor(app)
    before = written(app)
    for stale in ("", "not-a-token"):
        response = accept(client, token, csrf_token=stale)
        assert response.status_code == 400
        assert "The form expired" in response.get_data(as_text=True)
    assert written(app) == before
    assert accept(client, token).status_code == 302  # the link still works


def test_a_cross_site_post_is_refused(app, invitations):
    token, _email = invitations()
    client = visitor(app)
    before = written(app)
    data = {"name": "X", "password": PASSWORD, "repeated": PASSWORD}
    data["csrf_token"] = csrf_token(client)
    response = client.post(
        f"/invite/{token}", data=data, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403 and written(app) == before


def test_a_bad_password_is_told_on_the_form(app, invitations):
    token, _email = invitations()
    client = visitor(app)
    before = written(app)
    response = accept(client, token, password="password1234")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'id="invite-form"' in body and "common" in body
    assert written(app) == before


def test_an_address_with_an_account_by_now_closes_the_invitation(app, invitations):
    token, email = invitations()
    with app.server.app_context(), get_database().session_scope() as session:
        globex = session.scalar(
            sa.select(Organization.id).where(Organization.slug == "globex")
        )
        add_user(session, globex, "viewer", email)
    client = visitor(app)
    assert invalid(client.get(f"/invite/{token}"))
    users_before = written(app)[0]
    assert invalid(accept(client, token))
    assert written(app)[0] == users_before
    with app.server.app_context(), get_database().session_scope() as session:
        invitation = session.scalar(
            sa.select(Invitation).where(Invitation.email == email)
        )
        assert invitation.revoked_at is not None and invitation.accepted_at is None
        assert (
            session.scalar(
                sa.select(sa.func.count()).select_from(User).where(User.email == email)
            )
            == 1
        )


def test_other_bodies_than_a_form_are_refused(app, invitations):
    token, _email = invitations()
    client = visitor(app)
    before = written(app)
    response = client.post(f"/invite/{token}", json={"name": "X"})
    assert response.status_code == 415 and written(app) == before


def test_bad_links_are_limited_per_address(app, invitations):
    token, _email = invitations()
    client = visitor(app)
    for _ in range(10):
        assert invalid(client.get("/invite/" + secrets.token_urlsafe(32)))
    refused = client.get("/invite/" + secrets.token_urlsafe(32))
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert (
        client.get(f"/invite/{token}").status_code == 429
    )  # even a good link, for now
    assert visitor(app).get(f"/invite/{token}").status_code == 200  # another address
