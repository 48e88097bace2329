"""The sign-in form under bad input: a message, no session, no change to any user."""

from __future__ import annotations

import pytest

from data.models import User
from tests.auth.support import users_snapshot
from tests.factories import PASSWORD, csrf_token

COUNTER = [c.key for c in User.__table__.columns].index("failed_logins")


def without_counter(rows) -> list[tuple]:
    return [row[:COUNTER] + row[COUNTER + 1 :] for row in rows]


def post_login(client, data: dict):
    return client.post("/login", data={"csrf_token": csrf_token(client), **data})


BAD = [
    ({}, 400, "Enter your email and password."),
    ({"email": "", "password": ""}, 400, "Enter your email and password."),
    (
        {"email": "MEMBER", "password": ""},
        400,
        "Enter your email and password.",
    ),
    (
        {"email": "x" * 10_000, "password": PASSWORD},
        400,
        "Enter your email and password.",
    ),
    (
        {"email": "MEMBER", "password": "p" * 10_000},
        400,
        "Enter your email and password.",
    ),
    (
        {"email": "' OR '1'='1' --", "password": "' OR '1'='1' --"},
        401,
        "Wrong email or password.",
    ),
    (
        {"email": "MEMBER' --", "password": "x"},
        401,
        "Wrong email or password.",
    ),
    (
        {"email": "<script>alert(1)</script>", "password": "x"},
        401,
        "Wrong email or password.",
    ),
    (
        {"email": "ädmïn@äcme.test", "password": "пароль 密码"},
        401,
        "Wrong email or password.",
    ),
    (
        {"email": "MEMBER\x00", "password": PASSWORD},
        401,
        "Wrong email or password.",
    ),
    ({"email": ["MEMBER", "viewer@acme.test"], "password": "x"}, 401, None),
    (
        {"email": "MEMBER", "password": PASSWORD.upper()},
        401,
        "Wrong email or password.",
    ),
]


@pytest.mark.parametrize("data,status,message", BAD, ids=range(len(BAD)))
def test_bad_sign_in_input(app, world, members, data, status, message):
    member = members(
        "acme", "admin"
    )  # wrong passwords count toward a lockout: not a world user
    data = {
        key: (
            [v.replace("MEMBER", member.email) for v in value]
            if isinstance(value, list)
            else value.replace("MEMBER", member.email)
        )
        for key, value in data.items()
    }
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = f"203.0.113.{len(str(data)) % 200 + 20}"
    before = users_snapshot(app, world["orgs"]["acme"])
    response = post_login(client, data)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    if message:
        assert message in page
    assert (
        "<script>alert(1)</script>" not in page
    )  # what was typed is escaped, if shown at all
    assert client.get("/").status_code == 302  # not signed in
    after = users_snapshot(app, world["orgs"]["acme"])
    # Nothing but the failure counter may move (it is what the lockout counts).
    assert without_counter(after) == without_counter(before)


def test_the_email_is_case_insensitive(app, members):
    member = members("acme", "viewer")
    client = app.server.test_client()
    response = post_login(client, {"email": member.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
