"""Form builders for the account pages: invite a user, act on a user, change your password."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.accounts import ROLE_OPTIONS
from components.controls import message_area
from components.labels import role_label
from data.models import ROLES


def _field(label: str, control, hint: str | None = None) -> html.Div:
    parts = [dbc.Label(label, html_for=control.id, className="mb-1"), control]
    if hint:
        parts.append(dbc.FormText(hint))
    return html.Div(parts, className="mb-2")


def invite_card(ID: dict) -> dbc.Card:
    """Email, name, role and the button that sends the invitation."""
    return dbc.Card(
        [
            dbc.CardHeader("Invite a user"),
            dbc.CardBody(
                [
                    _field(
                        "Email",
                        dbc.Input(id=ID["new-email"], type="email", maxLength=254),
                    ),
                    _field("Name", dbc.Input(id=ID["new-name"], maxLength=200)),
                    _field(
                        "Role",
                        dbc.Select(
                            id=ID["new-role"], options=ROLE_OPTIONS, value="viewer"
                        ),
                    ),
                    html.Small(
                        "They get an e-mail with a link to choose their password; the "
                        "link works once, for 7 days.",
                        className="text-body-secondary d-block mb-3",
                    ),
                    dbc.Button("Send invitation", id=ID["invite"], color="primary"),
                    message_area(ID["invite-message"]),
                ]
            ),
        ],
        className="mb-3",
    )


HIDDEN = {"display": "none"}


def user_actions_card(ID: dict) -> dbc.Card:
    """A user picker, a role picker and the buttons that act on the chosen user; Deactivate and
    Reactivate take turns (one shows, as the chosen user's state says), and destructive actions
    ask first (``ID["confirm"]``, what was asked kept in ``ID["pending"]``)."""
    return dbc.Card(
        [
            dbc.CardHeader("Change a user"),
            dbc.CardBody(
                [
                    dcc.ConfirmDialog(id=ID["confirm"]),
                    dcc.Store(id=ID["pending"]),
                    _field(
                        "User",
                        dcc.Dropdown(id=ID["user"], placeholder="Choose a user…"),
                    ),
                    html.Div(id=ID["user-state"], className="mb-2 small"),
                    dbc.Label("New role", html_for=ID["role"], className="mb-1"),
                    dbc.InputGroup(
                        [
                            dbc.Select(
                                id=ID["role"], options=ROLE_OPTIONS, value="viewer"
                            ),
                            dbc.Button(
                                "Change role",
                                id=ID["change-role"],
                                color="primary",
                                outline=True,
                            ),
                        ],
                        className="mb-2",
                    ),
                    html.Div(
                        [
                            dbc.Button(
                                "Reset password",
                                id=ID["reset-password"],
                                color="secondary",
                                outline=True,
                            ),
                            dbc.Button(
                                "Deactivate",
                                id=ID["deactivate"],
                                color="danger",
                                outline=True,
                                disabled=True,  # until a user is chosen
                            ),
                            dbc.Button(
                                "Reactivate",
                                id=ID["reactivate"],
                                color="success",
                                outline=True,
                                style=HIDDEN,  # shown for a deactivated user instead
                            ),
                        ],
                        className="d-flex flex-wrap gap-2 mb-2",
                    ),
                    html.Small(
                        "Changing a role, resetting a password or deactivating signs that user out everywhere.",
                        className="text-body-secondary d-block mb-2",
                    ),
                    message_area(ID["action-message"]),
                ]
            ),
        ],
        className="mb-3",
    )


def confirmation_question(action: str, row, role) -> str | None:
    """What to ask before ``action`` on the user ``row`` (list_users' columns) when it is
    destructive: deactivating someone, or taking the admin role from an admin. None: go ahead
    (a user who is not there, ``row`` None, gets the write's own message)."""
    if row is None:
        return None
    who = f"{row['name']} ({row['email']})"
    if action == "deactivate" and row["is_active"]:
        return (
            f"Deactivate {who}?\n\nThey are signed out everywhere, their API tokens stop "
            "working, and they cannot sign in until an admin reactivates them."
        )
    demoted = role in ROLES and ROLES.index(role) < ROLES.index(row["role"])
    if action == "change-role" and row["role"] == "admin" and demoted:
        return (
            f"Take the admin role from {who}?\n\nThey become {role_label(role)}, can no "
            "longer manage users or settings, and are signed out everywhere."
        )
    return None


def password_card(ID: dict) -> dbc.Card:
    """Current password, the new one twice, and the button."""
    return dbc.Card(
        [
            dbc.CardHeader("Change your password"),
            dbc.CardBody(
                [
                    _field(
                        "Current password",
                        dbc.Input(
                            id=ID["current"],
                            type="password",
                            maxLength=256,
                            autocomplete="current-password",
                        ),
                    ),
                    _field(
                        "New password",
                        dbc.Input(
                            id=ID["new"],
                            type="password",
                            maxLength=256,
                            autocomplete="new-password",
                        ),
                        "At least 12 characters; a few words make a good one.",
                    ),
                    _field(
                        "New password again",
                        dbc.Input(
                            id=ID["repeat"],
                            type="password",
                            maxLength=256,
                            autocomplete="new-password",
                        ),
                    ),
                    dbc.Button(
                        "Change password",
                        id=ID["change"],
                        color="primary",
                        className="mt-1",
                    ),
                    html.Small(
                        "Your other sessions end; this one stays signed in.",
                        className="text-body-secondary d-block mt-2",
                    ),
                    message_area(ID["message"]),
                ]
            ),
        ],
        className="mb-3",
    )
