"""Scheduled reports (/reports, analysts and admins): a view's PDF e-mailed on a schedule.

Analysts create, edit, pause, send now and delete their own subscriptions; admins see every
subscription of the organization, those whose owner left flagged, and can reassign or delete
them. Writes go through data/writes/report_subscriptions.py in one transaction each (the data
layer checks role and ownership again); sending is data/reports/deliver.py's.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import (
    ALL,
    MATCH,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    dcc,
    html,
)
from dash.exceptions import PreventUpdate
from flask import g, request

from auth.action_limits import send_now_wait_seconds
from components.controls import message_area
from components.data_errors import data_error_message
from components.reports import (
    ACTION_TYPE,
    ERROR_FIELDS,
    FIELD_LABELS,
    FIELDS,
    OWNER_TYPE,
    PREFIX,
    error_id,
    field_id,
    report_form,
    report_list,
    run_table,
)
from components.skeleton import skeleton_lines
from data.campaign_rules import InvalidField
from data.clock import today
from data.db import db_session, get_database
from data.errors import DataError
from data.filters import InvalidFilter, matching_preset, parse_range
from data.reads.alert_sums import organization_zone
from data.reads.reports import report_choices, report_runs, report_subscriptions
from data.reports.deliver import send_now
from data.reports.rules import LIST_FILTERS
from data.writes.report_subscriptions import (
    create_subscription,
    delete_subscription,
    edit_subscription,
    reassign_subscription,
    set_paused,
)
from data.writes.transaction import write_transaction
from shell.callback_inputs import clicked

ID = {
    name: f"{PREFIX}-{name}"
    for name in ("new", "form", "form-title", "save", "cancel", "editing", "changed",
                 "notice", "form-notice", "list", "confirm", "deleting", "filters")
}  # fmt: skip
FORM_OUTPUTS = [Output(field_id(name), "value") for name in FIELDS]
FORM_STATES = [State(field_id(name), "value") for name in FIELDS]
ERROR_OUTPUTS = [Output(error_id(name), "children") for name in ERROR_FIELDS]
NO_ERRORS = [None] * len(ERROR_FIELDS)
DEFAULTS = {"view": "overview", "range": "last_7", "granularity": "day", "frequency": "weekly",
            "weekday": "0", "month_day": "1", "hour": "8", "platform": [], "include_csv": [],
            "recipient_ids": []}  # fmt: skip

dash.register_page(
    __name__,
    path="/reports",
    name="Reports",
    title="Scheduled reports · KIKI Analytics",
    order=27,
    nav=True,
    min_role="analyst",
    id_prefix=f"{PREFIX}-",
)


def prefill(query: dict) -> dict:
    """Form values from a "Schedule this report" link (the view's own query parameters)."""
    values = {k: query[k] for k in ("view", "campaign_id", "start", "end", "granularity")
              if isinstance(query.get(k), str)}  # fmt: skip
    if values.get("start") or values.get("end"):
        # Dates that are a preset today ("Last 7 days") stay relative; others are kept as dates.
        try:
            rng = parse_range(values.get("start"), values.get("end"))
            values["range"] = matching_preset(rng, today())
        except InvalidFilter:
            values["range"] = "custom"
        if values["range"] != "custom":
            values.pop("start"), values.pop("end")
    if isinstance(query.get("platform"), str) and query["platform"]:
        values["platform"] = query["platform"].split(",")
    return values


def layout(**query):
    choices = report_choices(db_session(), g.scope)
    values = prefill(query) if query.get("view") else None
    extra = {k: v for k, v in query.items() if k in LIST_FILTERS and isinstance(v, str)}
    form = dbc.Collapse(
        dbc.Card(
            [
                dbc.CardHeader(html.H2("New scheduled report", id=ID["form-title"], className="h5 mb-0")),
                dbc.CardBody([
                    report_form(choices, {**DEFAULTS, **(values or {})}),
                    message_area(ID["form-notice"]),
                    html.Div([
                        dbc.Button("Save", id=ID["save"], color="primary"),
                        dbc.Button("Cancel", id=ID["cancel"], color="secondary", outline=True),
                    ], className="d-flex gap-2 mt-3"),
                ]),
            ],
            className="mb-3",
        ),
        id=ID["form"],
        is_open=values is not None,
    )  # fmt: skip
    return html.Div(
        [
            html.Div(
                [
                    html.H1("Scheduled reports", className="h3 mb-0"),
                    dbc.Button("New scheduled report", id=ID["new"], color="primary", size="sm"),
                ],
                className="d-flex justify-content-between align-items-center mb-2 gap-2",
            ),
            html.P(
                "A view's PDF (and CSV if you like) by e-mail, daily, weekly or monthly at an "
                "hour of your organization's time zone. Relative periods such as “Last 7 days” "
                "end on the day it is sent.",
                className="text-body-secondary small",
            ),
            dcc.Store(id=ID["changed"], data=0),
            dcc.Store(id=ID["editing"], data=None),
            dcc.Store(id=ID["deleting"], data=None),
            dcc.Store(id=ID["filters"], data=extra),
            dcc.ConfirmDialog(id=ID["confirm"], message="Delete this scheduled report and its history?"),
            message_area(ID["notice"]),
            form,
            html.Div(skeleton_lines(4), id=ID["list"]),
        ]
    )  # fmt: skip


@callback(Output(ID["list"], "children"), Input(ID["changed"], "data"))
def update_report_list(_changed):
    """The caller's subscriptions (an admin's: all of the organization)."""
    session, scope = db_session(), g.scope
    frame = report_subscriptions(session, scope)
    zone = organization_zone(session, scope.organization_id).key
    owners = report_choices(session, scope)["owners"] if scope.allows("admin") else []
    return report_list(frame, scope.allows("admin"), zone, owners)


@callback(
    Output({"type": f"{PREFIX}-history", "index": MATCH}, "children"),
    Input({"type": ACTION_TYPE, "index": MATCH, "action": "history"}, "n_clicks"),
    prevent_initial_call=True,
)
def show_report_history(n_clicks):
    """Every other click shows the subscription's last runs."""
    trigger = clicked()
    if not isinstance(n_clicks, int) or n_clicks % 2 == 0:
        return None
    try:
        return run_table(report_runs(db_session(), g.scope, trigger.get("index")))
    except DataError as error:
        return data_error_message(error)


def _form_values(row) -> list:
    """The form's values for a subscription row of report_subscriptions."""
    params = row["params"]
    values = {**DEFAULTS, "name": row["name"], "view": row["view"],
              "campaign_id": None if pd.isna(row["campaign_id"]) else str(int(row["campaign_id"])),
              "range": params.get("range", "custom"), "start": params.get("start"),
              "end": params.get("end"), "granularity": params.get("granularity", "day"),
              "platform": [p for p in params.get("platform", "").split(",") if p],
              "frequency": row["frequency"], "hour": str(int(row["hour"])),
              "include_csv": ["on"] if row["include_csv"] else [],
              "recipient_ids": list(row["recipient_ids"])}  # fmt: skip
    for name in ("weekday", "month_day"):
        if not pd.isna(row[name]):
            values[name] = str(int(row[name]))
    return [values.get(name) for name in FIELDS]


@callback(
    Output(ID["form"], "is_open"),
    Output(ID["form-title"], "children"),
    Output(ID["editing"], "data"),
    Output(ID["form-notice"], "children"),
    Output(ID["filters"], "data"),
    *ERROR_OUTPUTS,
    *FORM_OUTPUTS,
    Input(ID["new"], "n_clicks"),
    Input(ID["cancel"], "n_clicks"),
    Input({"type": ACTION_TYPE, "index": ALL, "action": "edit"}, "n_clicks"),
    prevent_initial_call=True,
)
def open_report_form(_new, _cancel, _edit):
    """Open the form empty (new), filled with a subscription (edit), or close it (cancel)."""
    trigger = clicked()
    keep = [dash.no_update] * len(FIELDS)
    if trigger == ID["cancel"]:
        return False, dash.no_update, None, None, dash.no_update, *NO_ERRORS, *keep
    if trigger == ID["new"]:
        fresh = [DEFAULTS.get(name) for name in FIELDS]
        return True, "New scheduled report", None, None, {}, *NO_ERRORS, *fresh
    number = trigger.get("index") if isinstance(trigger, dict) else None
    frame = report_subscriptions(db_session(), g.scope)
    found = frame[frame["subscription_id"] == number]
    if not isinstance(number, int) or found.empty:
        raise PreventUpdate
    row = found.iloc[0].to_dict()
    editing = {"subscription_id": number, "version": int(row["version"])}
    extra = {k: v for k, v in row["params"].items() if k in LIST_FILTERS}
    return (True, f"Edit “{row['name']}”", editing, None, extra, *NO_ERRORS,
            *_form_values(row))  # fmt: skip


@callback(
    Output(ID["changed"], "data"),
    Output(ID["form"], "is_open", allow_duplicate=True),
    Output(ID["form-notice"], "children", allow_duplicate=True),
    Output(ID["notice"], "children"),
    *[
        Output(error_id(name), "children", allow_duplicate=True)
        for name in ERROR_FIELDS
    ],
    Input(ID["save"], "n_clicks"),
    State(ID["editing"], "data"),
    State(ID["changed"], "data"),
    State(ID["filters"], "data"),
    *FORM_STATES,
    prevent_initial_call=True,
)
def save_report(_save, editing, changed, extra, *values):
    """Create or edit; a refusal is shown beside its field and nothing is written."""
    clicked()
    raw = {
        **dict(zip(FIELDS, values, strict=True)),
        "filters": extra if isinstance(extra, dict) else {},
    }
    changed = (changed if isinstance(changed, int) else 0) + 1
    try:
        with write_transaction() as db:
            if isinstance(editing, dict) and isinstance(
                editing.get("subscription_id"), int
            ):
                version = editing.get("version")
                made = edit_subscription(
                    db,
                    g.scope,
                    editing["subscription_id"],
                    raw,
                    version=version if isinstance(version, int) else None,
                    ip_address=request.remote_addr,
                )
                done = f"“{made.name}” was saved."
            else:
                made = create_subscription(
                    db, g.scope, raw, ip_address=request.remote_addr
                )
                done = f"“{made.name}” was added: the first e-mail goes out {made.next_run_at:%Y-%m-%d %H:%M} UTC."
    except InvalidField as error:
        shown = error.field if error.field in ERROR_FIELDS else "name"
        errors = [
            f"{FIELD_LABELS.get(shown, shown)}: {error.message}"
            if name == shown
            else None
            for name in ERROR_FIELDS
        ]
        return (
            dash.no_update,
            True,
            "Check the field marked below.",
            dash.no_update,
            *errors,
        )
    except DataError as error:
        return (
            dash.no_update,
            True,
            data_error_message(error),
            dash.no_update,
            *NO_ERRORS,
        )
    return changed, False, None, done, *NO_ERRORS  # fmt: skip


def _owner_choice(number: int):
    for item in ctx.states_list[1] if len(ctx.states_list) > 1 else []:
        if item.get("id", {}).get("index") == number:
            return item.get("value")
    return None


@callback(
    Output(ID["changed"], "data", allow_duplicate=True),
    Output(ID["notice"], "children", allow_duplicate=True),
    Output(ID["confirm"], "displayed"),
    Output(ID["deleting"], "data"),
    Input({"type": ACTION_TYPE, "index": ALL, "action": ALL}, "n_clicks"),
    State(ID["changed"], "data"),
    State({"type": OWNER_TYPE, "index": ALL}, "value"),
    prevent_initial_call=True,
)
def act_on_report(_clicks, changed, _owners):
    """Pause, resume, send now or reassign at once; ask before deleting."""
    trigger = clicked()
    action = trigger.get("action") if isinstance(trigger, dict) else None
    number = trigger.get("index") if isinstance(trigger, dict) else None
    if action in ("edit", "history") or not isinstance(number, int):
        raise PreventUpdate
    if action == "delete":
        return dash.no_update, None, True, number
    changed = (changed if isinstance(changed, int) else 0) + 1
    ip = request.remote_addr
    try:
        if action == "send":
            if wait := send_now_wait_seconds(g.scope.user_id):
                return (
                    dash.no_update,
                    f"Sent too often: try again in {wait} s.",
                    False,
                    None,
                )
            outcome, message = send_now(get_database(), g.scope, number, ip_address=ip)
            done = message if outcome == "ok" else f"Not sent: {message}"
        elif action in ("pause", "resume"):
            with write_transaction() as db:
                made = set_paused(db, g.scope, number, action == "pause", ip_address=ip)
            done = (
                f"“{made.name}” is paused."
                if action == "pause"
                else f"“{made.name}” is sent again on schedule."
            )
        elif action == "reassign":
            with write_transaction() as db:
                made = reassign_subscription(
                    db, g.scope, number, _owner_choice(number), ip_address=ip
                )
            done = f"“{made.name}” has a new owner."
        else:
            raise PreventUpdate
    except InvalidField as error:
        return dash.no_update, error.message, False, None
    except DataError as error:
        return dash.no_update, data_error_message(error), False, None
    return changed, done, False, None  # fmt: skip


@callback(
    Output(ID["changed"], "data", allow_duplicate=True),
    Output(ID["notice"], "children", allow_duplicate=True),
    Input(ID["confirm"], "submit_n_clicks"),
    State(ID["deleting"], "data"),
    State(ID["changed"], "data"),
    prevent_initial_call=True,
)
def delete_confirmed_report(_submitted, number, changed):
    """Delete the subscription the person confirmed."""
    if not isinstance(number, int):
        raise PreventUpdate
    try:
        with write_transaction() as db:
            delete_subscription(db, g.scope, number, ip_address=request.remote_addr)
    except DataError as error:
        return dash.no_update, data_error_message(error)
    return (
        changed if isinstance(changed, int) else 0
    ) + 1, "The scheduled report was deleted."


# The fields the chosen view, period and frequency do not use are disabled (said to screen
# readers too); the data layer ignores them anyway.
clientside_callback(
    """
    function (view, range, frequency) {
        const custom = range === "custom";
        return [view !== "campaign", !custom, !custom, view !== "overview",
                frequency !== "weekly", frequency !== "monthly"];
    }
    """,
    Output(field_id("campaign_id"), "disabled"),
    Output(field_id("start"), "disabled"),
    Output(field_id("end"), "disabled"),
    Output(field_id("granularity"), "disabled"),
    Output(field_id("weekday"), "disabled"),
    Output(field_id("month_day"), "disabled"),
    Input(field_id("view"), "value"),
    Input(field_id("range"), "value"),
    Input(field_id("frequency"), "value"),
)
