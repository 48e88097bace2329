"""Privacy (/settings/privacy, admin): export everything held about a member, or erase them."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from flask import g, request

from components.accounts import success_alert, user_options
from components.controls import error_alert
from components.data_errors import data_error_message
from components.privacy import erase_card, export_href, person_card, plan_list
from data.db import read_session
from data.errors import DataError
from data.privacy.caches import purge_caches
from data.privacy.members import erase_member, member_plan
from data.reads.users import list_users
from data.writes.transaction import write_transaction

PREFIX = "privacy"
ID = {
    name: f"{PREFIX}-{name}"
    for name in ("changed", "user", "export", "plan", "confirm", "erase", "message")
}
BUTTON = "btn btn-outline-primary btn-sm mt-3"

dash.register_page(
    __name__,
    path="/settings/privacy",
    name="Privacy",
    title="Privacy · KIKI Analytics",
    order=57,
    nav=True,
    nav_group="Admin",  # one menu in the navbar (components/shell.py)
    min_role="admin",
    id_prefix=f"{PREFIX}-",
)


def layout(**_ignored):
    return html.Div(
        [
            html.H1("Privacy", className="h3 mb-3"),
            dcc.Store(id=ID["changed"], data=0),
            dbc.Row(
                [dbc.Col(person_card(ID), lg=5), dbc.Col(erase_card(ID), lg=7)],
                className="g-3",
            ),
        ]
    )


@callback(Output(ID["user"], "options"), Input(ID["changed"], "data"))
def update_privacy_users(_version):
    """The organization's members to choose from."""
    return user_options(list_users(read_session(), g.scope))


@callback(
    Output(ID["plan"], "children"),
    Output(ID["export"], "href"),
    Output(ID["export"], "className"),
    Input(ID["user"], "value"),
)
def update_privacy_plan(user_id):
    """The dry run of erasing the chosen member, and the link to their export."""
    if user_id is None:
        return "Choose a member.", "", BUTTON + " disabled"
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        return error_alert("Choose a member."), "", BUTTON + " disabled"
    try:
        shown = plan_list(member_plan(read_session(), g.scope, user_id).lines())
    except DataError as exc:
        shown = error_alert(data_error_message(exc))
    return shown, export_href(user_id), BUTTON


@callback(
    Output(ID["message"], "children"),
    Output(ID["changed"], "data", allow_duplicate=True),
    Output(ID["confirm"], "value"),
    Output(ID["user"], "value"),
    Input(ID["erase"], "n_clicks"),
    State(ID["user"], "value"),
    State(ID["confirm"], "value"),
    State(ID["changed"], "data"),
    prevent_initial_call=True,
)
def erase_privacy_person(_clicks, user_id, confirmation, version):
    """Erase the chosen member once their e-mail is typed; all of it commits, or nothing."""
    try:
        with write_transaction() as db:
            subject, plan = erase_member(
                db, g.scope, user_id, confirmation, ip_address=request.remote_addr
            )
    except DataError as exc:
        return error_alert(data_error_message(exc)), dash.no_update, "", dash.no_update
    purge_caches(subject.organization_id, subject.email)
    done = f"Erased; their audit rows now carry the pseudonym {plan.pseudonym}."
    next_version = (version if isinstance(version, int) else 0) + 1
    return success_alert(done), next_version, "", None
