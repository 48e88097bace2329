"""One failure counter and lock per address for every door: a real account and a made-up
address answer alike, whichever doors are combined and however attempts are spaced."""

from __future__ import annotations

import uuid

import pytest

from data.db import get_database
from data.scope import Scope
from data.writes import users
from tests.auth.support import member_factory, update_user
from tests.auth.test_rate_limits import make_app, visitor
from tests.factories import login
from tests.services import redis_url

WRONG = "wrong password, sorry"


@pytest.fixture(scope="module", params=["memory", "redis"])
def limited_app(request, world_url):
    url, _world = world_url
    if request.param == "memory":
        return make_app(url)
    return make_app(url, REDIS_URL=redis_url())


@pytest.fixture
def members(limited_app, world):
    yield from member_factory(limited_app, world)


def web(app, email, password=WRONG):
    response = login(visitor(app), email, password)
    return response.status_code, "Too many failed" in response.get_data(as_text=True)


def api(app, email, password=WRONG):
    response = visitor(app).post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": password},
    )
    return response.status_code, response.json["error"]["code"]


def pair(members):
    real = members("acme", "viewer").email
    return {"real": real, "made-up": f"nobody-{uuid.uuid4().hex[:8]}@example.test"}


def test_both_doors_share_one_counter_and_answer_alike(limited_app, members):
    answers = {}
    for kind, email in pair(members).items():
        seen = [web(limited_app, email) for _ in range(3)]
        seen += [api(limited_app, email) for _ in range(2)]
        seen += [web(limited_app, email), api(limited_app, email)]
        answers[kind] = seen
    assert answers["real"] == answers["made-up"], answers
    assert answers["real"][-2] == (429, True)
    assert answers["real"][-1] == (429, "rate_limited")


def test_the_right_password_is_refused_alike_while_locked(limited_app, members):
    emails = pair(members)
    for email in emails.values():
        for _ in range(5):
            api(limited_app, email)
    # The real account's own password does not open it, and nothing tells it from the other.
    from tests.factories import PASSWORD

    assert web(limited_app, emails["real"], PASSWORD) == web(
        limited_app, emails["made-up"], PASSWORD
    )


def test_failures_spaced_beyond_the_window_do_not_lock_a_real_account(
    limited_app, members
):
    """Four failures an hour ago are no more than four a made-up address had then."""
    member = members("acme", "viewer")
    update_user(limited_app, member.id, failed_logins=4)
    assert web(limited_app, member.email) == (401, False)
    fresh = f"nobody-{uuid.uuid4().hex[:8]}@example.test"
    assert web(limited_app, fresh) == (401, False)
    assert web(limited_app, member.email) == web(limited_app, fresh)


def test_a_real_lock_is_kept_in_the_database_too(limited_app, members):
    member = members("acme", "analyst")
    for _ in range(5):
        web(limited_app, member.email)
    from tests.auth.support import user_row

    assert user_row(limited_app, member.id)["locked_until"] is not None


def test_creating_a_user_with_another_organizations_email_does_not_say_it_exists(
    limited_app, world, members
):
    theirs = members("globex", "viewer").email
    with limited_app.server.app_context(), get_database().session_scope() as session:
        scope = Scope(world["orgs"]["acme"], "admin", None)
        with pytest.raises(users.UserError) as refused:
            users.create_user(
                session,
                scope,
                email=theirs,
                name="X",
                role="viewer",
                password="orbit lantern quietly 9",
            )
    assert "exist" not in str(refused.value).lower()
    assert "globex" not in str(refused.value).lower()


def test_a_lock_holds_in_every_worker_for_a_real_and_a_made_up_address_alike(
    world_url, members
):
    """Two workers without Redis (each counts in its own memory) over one database: an address
    locked in one is locked in the other, whether an account has it or not."""
    first, second = make_app(world_url[0]), make_app(world_url[0])
    answers = {}
    for kind, email in pair(members).items():
        for _ in range(5):
            web(first, email)
        answers[kind] = (web(second, email), api(second, email))
    assert answers["real"] == answers["made-up"] == ((429, True), (429, "rate_limited"))


def test_an_admins_password_reset_lifts_the_addresss_lock(limited_app, world, members):
    member = members("acme", "analyst")
    for _ in range(5):
        web(limited_app, member.email)
    assert web(limited_app, member.email) == (429, True)
    with limited_app.server.app_context(), get_database().session_scope() as session:
        admin = Scope(world["orgs"]["acme"], "admin", None)
        _user, password = users.reset_password(session, admin, member.id)
    response = login(visitor(limited_app), member.email, password)
    text = response.get_data(as_text=True)
    assert response.status_code == 302, text[
        text.find("login-message") : text.find("login-message") + 200
    ]
