"""The profile page: your details, and changing your own password (this session stays, others end)."""

from __future__ import annotations

import json

import pytest

from auth.passwords import verify_password
from tests.auth import dash_calls
from tests.auth.support import counts, member_factory, sign_in, user_row
from tests.factories import PASSWORD, login

MESSAGE = "profile-message"
NEW = "another long passphrase 8"


@pytest.fixture
def members(app, world):
    yield from member_factory(app, world)


def change(app, client, current, new, repeated=None):
    return dash_calls.call(
        app,
        client,
        MESSAGE,
        {
            "profile-change.n_clicks": 1,
            "profile-current.value": current,
            "profile-new.value": new,
            "profile-repeat.value": new if repeated is None else repeated,
        },
    )


def body(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    return json.dumps(response.json, ensure_ascii=False)


def test_details_show_who_is_signed_in(app, members):
    member = members("globex", "analyst")
    shown = body(dash_calls.call(app, sign_in(app, member.email), "profile-details"))
    assert member.email in shown and "Globex Retail" in shown and "Analyst" in shown
    assert "Acme" not in shown


def test_change_password_keeps_this_session_and_ends_the_others(app, members):
    member = members("acme", "viewer")
    here, elsewhere = sign_in(app, member.email), sign_in(app, member.email)
    shown = body(change(app, here, PASSWORD, NEW))
    assert "Your password changed" in shown
    assert verify_password(user_row(app, member.id)["password_hash"], NEW)
    # This browser goes on; the other one is signed out at its next callback.
    assert dash_calls.call(app, here, "profile-details").status_code == 200
    refused = dash_calls.call(app, elsewhere, "profile-details")
    assert (
        refused.status_code == 401 and refused.json["error"]["code"] == "unauthorized"
    )
    assert login(app.server.test_client(), member.email, PASSWORD).status_code == 401
    assert login(app.server.test_client(), member.email, NEW).status_code == 302


BAD = [
    ("", NEW, None, "Fill in"),
    (None, None, None, "Fill in"),
    (PASSWORD, "short", None, "at least 12"),
    (PASSWORD, "password1234", None, "common or breached"),
    (PASSWORD, "Qwerty 123456!", None, "common or breached"),
    (PASSWORD, NEW, NEW + "!", "differ"),
    (PASSWORD, "n" * 10_000, None, "Fill in"),
    (PASSWORD, ["list", "of", "words"], None, "Fill in"),
    (PASSWORD, {"$set": "x"}, None, "Fill in"),
    (PASSWORD, PASSWORD, None, "must differ"),
    ("wrong password entirely", NEW, None, "current password is wrong"),
]


@pytest.mark.parametrize("current,new,repeated,message", BAD, ids=range(len(BAD)))
def test_bad_input_changes_no_password(app, members, current, new, repeated, message):
    member = members("acme", "analyst")
    client = sign_in(app, member.email)
    row = user_row(app, member.id)
    before = counts(app)
    shown = body(change(app, client, current, new, repeated))
    assert '"color": "warning"' in shown and message in shown
    after = user_row(app, member.id)
    assert after["password_hash"] == row["password_hash"]
    assert after["session_epoch"] == row["session_epoch"]
    if "wrong" in message:
        assert (
            counts(app)[1] == before[1] + 1
        )  # the failed check is audited and counted
        assert after["failed_logins"] == row["failed_logins"] + 1
    else:
        assert counts(app) == before
    assert dash_calls.call(app, client, "profile-details").status_code == 200


def test_five_wrong_current_passwords_lock_the_account_and_end_the_session(
    app, members
):
    member = members("acme", "viewer")
    client = sign_in(app, member.email)
    for _ in range(5):
        assert "current password is wrong" in body(
            change(app, client, "guessing 1234567", NEW)
        )
    assert user_row(app, member.id)["locked_until"] is not None
    assert dash_calls.call(app, client, "profile-details").status_code == 401
    assert login(app.server.test_client(), member.email, PASSWORD).status_code == 429


@pytest.mark.parametrize(
    "payload",
    [
        "'; UPDATE users SET role='admin' --",
        "<script>alert('x')</script>",
        "pâsswörd ünïcødé 密码",
    ],
)
def test_odd_but_valid_passwords_are_stored_as_typed(app, members, payload):
    member = members("acme", "analyst")
    assert "Your password changed" in body(
        change(app, sign_in(app, member.email), PASSWORD, payload)
    )
    row = user_row(app, member.id)
    assert verify_password(row["password_hash"], payload) and row["role"] == "analyst"
