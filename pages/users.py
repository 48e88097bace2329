"""Settings (/settings, admin): the organization's users — invite, change role, deactivate, reset password."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from flask import g, request

from auth.action_limits import invitation_wait_seconds
from auth.limits import wait_message
from components.account_forms import (
    HIDDEN,
    confirmation_question,
    invite_card,
    user_actions_card,
)
from components.accounts import (
    USER_HEADERS,
    one_time_password,
    success_alert,
    user_options,
    user_state,
    users_table,
)
from components.controls import error_alert
from components.data_errors import data_error_message
from components.skeleton import skeleton_table
from data.db import db_session
from data.errors import DataError
from data.reads.users import list_users, pending_invitations
from data.writes import invitations, users
from data.writes.transaction import write_transaction
from shell.callback_inputs import clicked_key

PREFIX = "settings"
ID = {
    name: f"{PREFIX}-{name}"
    for name in (
        "users",
        "changed",
        "new-email",
        "new-name",
        "new-role",
        "invite",
        "invite-message",
        "list-message",
        "user",
        "role",
        "change-role",
        "deactivate",
        "reactivate",
        "reset-password",
        "action-message",
        "user-state",
        "confirm",
        "pending",
    )
}
# The buttons of the "Change a user" card, and what each asks the data layer to do.
ACTIONS = {
    ID["change-role"]: "change-role",
    ID["deactivate"]: "deactivate",
    ID["reactivate"]: "reactivate",
    ID["reset-password"]: "reset-password",
}
REVOKE_TYPE = f"{PREFIX}-revoke"  # {"type": REVOKE_TYPE, "index": invitation id}

dash.register_page(
    __name__,
    path="/settings",
    name="Settings",
    title="Settings · KIKI Analytics",
    order=50,
    nav=True,
    nav_group="Admin",  # one menu in the navbar (components/shell.py)
    min_role="admin",
    id_prefix=f"{PREFIX}-",
)


def layout(**_ignored):
    return html.Div(
        [
            html.H1("Settings", className="h3 mb-3"),
            html.P(dcc.Link("API tokens of the organization", href="/settings/tokens")),
            html.P(dcc.Link("Webhooks for alert events", href="/settings/webhooks")),
            dcc.Store(id=ID["changed"], data=0),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Card(
                                [
                                    dbc.CardHeader("Users"),
                                    dbc.CardBody(
                                        [
                                            html.Div(
                                                skeleton_table(USER_HEADERS, 3),
                                                id=ID["users"],
                                            ),
                                            html.Div(id=ID["list-message"]),
                                        ]
                                    ),
                                ],
                                # Last on a phone: it grows as the users arrive, and
                                # nothing should be below it then (layout shift).
                                className="mb-3 order-last order-lg-0",
                            ),
                            user_actions_card(ID),
                        ],
                        lg=8,
                        className="d-flex flex-column",
                    ),
                    dbc.Col(invite_card(ID), lg=4, className="order-first order-lg-0"),
                ],
                className="g-3",
            ),
        ]
    )


def _write(change, *args):
    """Run one write of data.writes.users for the signed-in admin; (result, None) or (None, why)."""
    try:
        with write_transaction() as db:
            return change(db, g.scope, *args, ip_address=request.remote_addr), None
    except DataError as exc:
        return None, data_error_message(exc)


@callback(
    Output(ID["users"], "children"),
    Output(ID["user"], "options"),
    Input(ID["changed"], "data"),
)
def update_settings_users(_version):
    """The organization's users and pending invitations as a table; the users as the choices of
    the user picker."""
    session = db_session()
    frame = list_users(session, g.scope)
    invited = pending_invitations(session, g.scope)
    table = users_table(frame, g.scope.user_id, invited, REVOKE_TYPE)
    return table, user_options(frame)


@callback(
    Output(ID["invite-message"], "children"),
    Output(ID["changed"], "data", allow_duplicate=True),
    Output(ID["new-email"], "value"),
    Output(ID["new-name"], "value"),
    Input(ID["invite"], "n_clicks"),
    State(ID["new-email"], "value"),
    State(ID["new-name"], "value"),
    State(ID["new-role"], "value"),
    State(ID["changed"], "data"),
    prevent_initial_call=True,
)
def invite_settings_user(_clicks, email, name, role, version):
    """Invite an address; the answer is the same whether or not it has an account elsewhere."""
    wait = invitation_wait_seconds(g.scope.user_id)
    if wait:
        problem = f"Too many invitations. {wait_message(wait)}"
        return error_alert(problem), *[dash.no_update] * 3
    invitation, problem = _write(
        lambda db, scope, ip_address: invitations.invite_user(
            db, scope, email=email, name=name, role=role, ip_address=ip_address
        )
    )
    if problem:
        return error_alert(problem), *[dash.no_update] * 3
    sent = invitations.invitation_sent_message(invitation.email)
    return success_alert(sent), _next(version), "", ""


@callback(
    Output(ID["list-message"], "children"),
    Output(ID["changed"], "data", allow_duplicate=True),
    Input({"type": REVOKE_TYPE, "index": ALL}, "n_clicks"),
    State(ID["changed"], "data"),
    prevent_initial_call=True,
)
def revoke_settings_invitation(_clicks, version):
    """Revoke the invitation whose Revoke button was clicked: its link stops working."""
    invitation, problem = _write(invitations.revoke_invitation, clicked_key())
    if problem:
        return error_alert(problem), dash.no_update
    return success_alert(f"Invitation to {invitation.email} revoked."), _next(version)


def _chosen_user(user_id):
    """The row of the organization's user ``user_id`` (list_users' columns), or None."""
    if isinstance(user_id, bool) or not isinstance(user_id, int | str):
        return None
    text = str(user_id)
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    frame = list_users(db_session(), g.scope)
    rows = frame[frame["user_id"] == int(text)]
    return None if rows.empty else rows.iloc[0]


@callback(
    Output(ID["role"], "value"),
    Output(ID["user-state"], "children"),
    Output(ID["deactivate"], "style"),
    Output(ID["deactivate"], "disabled"),
    Output(ID["reactivate"], "style"),
    Input(ID["user"], "value"),
    Input(ID["changed"], "data"),
)
def show_settings_user(user_id, _version):
    """The chosen user's current role in the role picker, their state, and the one of
    Deactivate / Reactivate that applies to them."""
    row = _chosen_user(user_id)
    if row is None:
        return dash.no_update, None, None, True, HIDDEN
    if row["is_active"]:
        return row["role"], user_state(row), None, False, HIDDEN
    return row["role"], user_state(row), HIDDEN, True, None


@callback(
    Output(ID["action-message"], "children"),
    Output(ID["changed"], "data", allow_duplicate=True),
    Output(ID["confirm"], "displayed"),
    Output(ID["confirm"], "message"),
    Output(ID["pending"], "data"),
    Input(ID["change-role"], "n_clicks"),
    Input(ID["deactivate"], "n_clicks"),
    Input(ID["reactivate"], "n_clicks"),
    Input(ID["reset-password"], "n_clicks"),
    Input(ID["confirm"], "submit_n_clicks"),
    State(ID["user"], "value"),
    State(ID["role"], "value"),
    State(ID["changed"], "data"),
    State(ID["pending"], "data"),
    prevent_initial_call=True,
)
def apply_settings_action(
    _role, _off, _on, _reset, _confirmed, user_id, role, version, pending
):
    """Change the chosen user's role, active state or password, as the clicked button says; a
    destructive change is asked about first, and done when the dialog's OK confirms it."""
    button = ctx.triggered_id
    if button == ID["confirm"]:
        if (
            not isinstance(pending, dict)
            or pending.get("action") not in ACTIONS.values()
        ):
            return error_alert("Nothing to confirm: choose the action again."), *[
                dash.no_update
            ] * 4
        action, user_id, role = (
            pending["action"],
            pending.get("user"),
            pending.get("role"),
        )
        return *_apply(action, user_id, role, version), False, dash.no_update, None
    action = ACTIONS.get(button)
    if action is None:
        return (dash.no_update,) * 5
    question = confirmation_question(action, _chosen_user(user_id), role)
    if question:
        asked = {"action": action, "user": user_id, "role": role}
        return dash.no_update, dash.no_update, True, question, asked
    return *_apply(action, user_id, role, version), dash.no_update, dash.no_update, None


@callback(
    Output(ID["pending"], "data", allow_duplicate=True),
    Input(ID["confirm"], "cancel_n_clicks"),
    prevent_initial_call=True,
)
def cancel_settings_action(_cancelled):
    """Cancel in the dialog: forget what was asked; nothing is written."""
    return


def _apply(action: str, user_id, role, version) -> tuple:
    """(message, next version) after running ``action`` on the user."""
    if action == "reset-password":
        result, problem = _write(users.reset_password, user_id)
        if problem:
            return error_alert(problem), dash.no_update
        user, password = result
        intro = f"New password for {user.email}; their sessions ended."
        return one_time_password(intro, password), _next(version)
    if action == "change-role":
        user, problem = _write(users.change_role, user_id, role)
    else:
        user, problem = _write(users.set_active, user_id, action == "reactivate")
    if problem:
        return error_alert(problem), dash.no_update
    state = "active" if user.is_active else "deactivated"
    done = f"{user.email} is now {user.role}, {state}; their sessions ended."
    return success_alert(done), _next(version)


def _next(version) -> int:
    return (version if isinstance(version, int) else 0) + 1
