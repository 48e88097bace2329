"""Profile (/profile): who you are signed in as, change your own password, personal API tokens."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from flask import g, request
from flask_login import current_user

from auth.session_user import renew_login
from components.account_forms import password_card
from components.accounts import success_alert
from components.controls import error_alert
from components.data_errors import data_error_message
from components.labels import role_label
from data.errors import DataError
from data.writes import users
from data.writes.transaction import write_transaction

PREFIX = "profile"
ID = {
    name: f"{PREFIX}-{name}"
    for name in ("details", "current", "new", "repeat", "change", "message")
}

dash.register_page(
    __name__,
    path="/profile",
    name="Profile",
    title="Profile · KIKI Analytics",
    order=90,
    nav=False,
    min_role="viewer",
    id_prefix=f"{PREFIX}-",
)


def _tokens_card() -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader("Personal API tokens"),
            dbc.CardBody(
                [
                    html.P(
                        "Tokens let scripts read the JSON API as you, with your role.",
                        className="mb-2",
                    ),
                    dcc.Link("Manage your API tokens", href="/profile/tokens"),
                ]
            ),
        ]
    )


def layout(**_ignored):
    return html.Div(
        [
            html.H1("Profile", className="h3 mb-3"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Card(
                                [
                                    dbc.CardHeader("Your account"),
                                    dbc.CardBody(
                                        # Drawn with the page (the callback answers the
                                        # same): arriving later, it pushed the cards below.
                                        html.Dl(
                                            profile_details(),
                                            id=ID["details"],
                                            className="row mb-0",
                                        )
                                    ),
                                ],
                                className="mb-3",
                            ),
                            _tokens_card(),
                        ],
                        lg=5,
                    ),
                    dbc.Col(password_card(ID), lg=5),
                ],
                className="g-3",
            ),
        ]
    )


@callback(Output(ID["details"], "children"), Input(ID["change"], "id"))
def show_profile_details(_id):
    """Name, email, role and organization of the signed-in user."""
    return profile_details()


def profile_details() -> list:
    user = current_user
    rows = [
        ("Name", user.name),
        ("Email", user.email),
        ("Role", role_label(user.role)),
        ("Organization", user.organization_name),
    ]
    children = []
    for label, value in rows:
        children += [
            html.Dt(label, className="col-sm-4 fw-normal text-body-secondary"),
            html.Dd(value, className="col-sm-8"),
        ]
    return children


@callback(
    Output(ID["message"], "children"),
    Output(ID["current"], "value"),
    Output(ID["new"], "value"),
    Output(ID["repeat"], "value"),
    Input(ID["change"], "n_clicks"),
    State(ID["current"], "value"),
    State(ID["new"], "value"),
    State(ID["repeat"], "value"),
    prevent_initial_call=True,
)
def change_profile_password(_clicks, current, new, repeated):
    """Check the current password, set the new one, keep this session and end the others."""
    try:
        # The failed check counts toward a lockout: committed although the change is refused.
        with write_transaction(commit_anyway=(users.WrongCurrentPassword,)) as db:
            user = users.change_own_password(
                db, g.scope, current, new, repeated, ip_address=request.remote_addr
            )
    except users.WrongCurrentPassword as exc:
        return error_alert(str(exc)), "", dash.no_update, dash.no_update
    except DataError as exc:
        message = error_alert(data_error_message(exc))
        return message, dash.no_update, dash.no_update, dash.no_update
    renew_login(user)
    message = success_alert("Your password changed. Your other sessions ended.")
    return message, "", "", ""
