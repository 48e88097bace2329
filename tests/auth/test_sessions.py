"""Sessions end when they should: logout, role change, deactivation, password reset, timeouts."""

from __future__ import annotations

import time

import pytest

from tests.auth import dash_calls
from tests.auth.support import counts, sign_in, update_user, user_row
from tests.auth.user_cache_support import cached_app
from tests.factories import app_config, csrf_token, login


@pytest.fixture(params=["database", "user-cache"])
def app(request, world_url):
    """Every session rule holds whether users are read per request or kept per process."""
    from app import create_app

    url, _world = world_url
    app = (
        create_app(app_config(url)) if request.param == "database" else cached_app(url)
    )
    yield app
    app.server.extensions["kiki_db"].engine.dispose()


def alive(app, client) -> bool:
    response = dash_calls.call(app, client, "profile-details")
    assert response.status_code in (200, 401), response.status_code
    return response.status_code == 200


def act(app, admin, button: str, user_id: int, role: str = "viewer"):
    body = dash_calls.triggered(
        app,
        "settings-action-message",
        f"settings-{button}.n_clicks",
        {
            f"settings-{button}.n_clicks": 1,
            "settings-user.value": user_id,
            "settings-role.value": role,
        },
    )
    response = dash_calls.post(admin, body)
    assert response.status_code == 200
    answer = response.json["response"]
    if answer.get("settings-confirm", {}).get("displayed"):  # OK in the dialog
        body = dash_calls.triggered(
            app,
            "settings-action-message",
            "settings-confirm.submit_n_clicks",
            {
                "settings-confirm.submit_n_clicks": 1,
                "settings-pending.data": answer["settings-pending"]["data"],
            },
        )
        response = dash_calls.post(admin, body)
        assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    "button,role",
    [("change-role", "analyst"), ("deactivate", None), ("reset-password", None)],
)
def test_an_admins_change_ends_the_targets_sessions(app, members, button, role):
    target = members("acme", "viewer")
    admin = sign_in(app, members("acme", "admin").email)
    phone, laptop = sign_in(app, target.email), sign_in(app, target.email)
    assert alive(app, phone) and alive(app, laptop)
    act(app, admin, button, target.id, role or "viewer")
    assert not alive(app, phone) and not alive(app, laptop)
    assert alive(app, admin)  # the admin's own session is untouched
    # A page request of the ended session goes back to the sign-in form.
    assert phone.get("/").headers["Location"].startswith("/login")


def test_a_refused_change_ends_no_session(app, members):
    target = members("acme", "viewer")
    admin = sign_in(app, members("acme", "admin").email)
    phone = sign_in(app, target.email)
    act(app, admin, "change-role", target.id, "viewer")  # already a viewer: refused
    assert alive(app, phone)


def sign_out(client, token: str | None = None):
    """Submit the sign-out form (its CSRF token from the confirmation page unless given)."""
    token = csrf_token(client, "/logout") if token is None else token
    return client.post(
        "/logout", data={"csrf_token": token}, headers={"Origin": "http://localhost"}
    )


def test_logout_ends_every_session_of_the_user(app, members):
    member = members("globex", "analyst")
    first, second = sign_in(app, member.email), sign_in(app, member.email)
    _users, audits = counts(app)
    response = sign_out(first)
    assert (
        response.status_code == 302
        and response.headers["Location"] == "/login?signed_out=1"
    )
    assert not alive(app, first) and not alive(app, second)
    assert counts(app)[1] == audits + 1  # the "logout" audit row
    signed_out = first.get("/login?signed_out=1").get_data(as_text=True)
    assert "You are signed out." in signed_out


def test_opening_the_logout_address_only_asks(app, members):
    """A link or an <img src="/logout"> on another site must not sign anyone out."""
    member = members("acme", "viewer")
    client = sign_in(app, member.email)
    before = counts(app)
    page = client.get("/logout", headers={"Referer": "https://evil.example/"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Sign out?" in html and 'id="logout-confirm"' in html
    assert alive(app, client) and counts(app) == before


@pytest.mark.parametrize(
    "token,origin,status",
    [
        (None, "http://localhost", 400),  # no token
        ("forged", "http://localhost", 400),
        (
            "page",
            "https://evil.example",
            403,
        ),  # a valid token, but posted from elsewhere
    ],
)
def test_a_forged_sign_out_is_refused_and_ends_nothing(
    app, members, token, origin, status
):
    member = members("acme", "viewer")
    client = sign_in(app, member.email)
    before = counts(app)
    data = {} if token is None else {"csrf_token": token}
    if token == "page":
        data["csrf_token"] = csrf_token(client, "/logout")
    response = client.post("/logout", data=data, headers={"Origin": origin})
    assert response.status_code == status
    if status == 400:  # the confirmation page again, with what went wrong
        assert "The form expired. Please try again." in response.get_data(as_text=True)
    assert alive(app, client) and counts(app) == before


def test_a_session_cookie_replayed_after_logout_is_dead(app, members):
    member = members("acme", "viewer")
    client = sign_in(app, member.email)
    cookie = client.get_cookie("kiki_session").value
    sign_out(client)
    replay = app.server.test_client()
    replay.set_cookie("kiki_session", cookie)
    assert replay.get("/").status_code == 302
    assert dash_calls.call(app, replay, "profile-details").status_code == 401


def test_the_absolute_timeout_ends_a_busy_session(app, members):
    member = members("acme", "viewer")
    client = sign_in(app, member.email)
    with client.session_transaction() as session:
        session["login_at"] = (
            time.time() - app.server.config["SESSION_MAX_HOURS"] * 3600 - 5
        )
    response = dash_calls.call(app, client, "profile-details")
    assert response.status_code == 401
    assert "expired" in response.json["error"]["message"]
    assert client.get("/").headers["Location"].startswith("/login")


def test_a_session_without_a_sign_in_time_is_refused(app, members):
    client = sign_in(app, members("acme", "viewer").email)
    with client.session_transaction() as session:
        session.pop("login_at")
    assert dash_calls.call(app, client, "profile-details").status_code == 401


def test_session_cookie_flags_and_idle_lifetime(app, members):
    client = app.server.test_client()
    response = login(client, members("acme", "viewer").email)
    cookie = next(
        c
        for c in response.headers.getlist("Set-Cookie")
        if c.startswith("kiki_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert app.server.permanent_session_lifetime.total_seconds() == (
        app.server.config["SESSION_IDLE_MINUTES"] * 60
    )


def test_a_deactivated_user_cannot_sign_in_and_gets_the_generic_answer(app, members):
    member = members("acme", "viewer")
    update_user(app, member.id, is_active=False)
    response = login(app.server.test_client(), member.email)
    assert response.status_code == 401
    assert "Wrong email or password." in response.get_data(as_text=True)
    assert user_row(app, member.id)["last_login_at"] is None


def test_signing_in_starts_a_fresh_session(app, members):
    member = members("acme", "viewer")
    client = app.server.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    assert login(client, member.email).status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
