"""Alert rules (/alerts): every role sees the organization's rules, their state, what was found
when, and each rule's episodes; analysts and admins create, edit, snooze, pause and delete.

Writes go through data/writes/alert_rules.py in one transaction each (the data layer checks the
role again: a viewer's forged callback is refused there). Evaluation and delivery are the
scheduler's (data/alerts/, data/scheduler.py).
"""

from __future__ import annotations

import datetime as dt

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
    dcc,
    html,
)
from dash.exceptions import PreventUpdate
from flask import g, request

from components.alerts import (
    ACTION_TYPE,
    FIELD_LABELS,
    FIELDS,
    PREFIX,
    episode_table,
    field_id,
    rule_form,
    rule_list,
)
from components.controls import message_area
from components.data_errors import data_error_message
from components.shell import LIVE_ALERTS_ID
from components.skeleton import skeleton_lines
from data.campaign_rules import InvalidField
from data.db import db_session
from data.errors import DataError
from data.reads.alerts import alert_episodes, alert_rules, rule_choices
from data.writes.alert_rules import (
    create_rule as create_alert_rule,
)
from data.writes.alert_rules import (
    delete_rule,
    set_rule_active,
    snooze_rule,
)
from data.writes.alert_rules import (
    edit_rule as edit_alert_rule,
)
from data.writes.transaction import write_transaction
from shell.callback_inputs import clicked

ID = {
    name: f"{PREFIX}-{name}"
    for name in (
        "new", "form", "form-title", "save", "cancel", "editing", "changed", "notice",
        "form-notice", "list", "confirm", "deleting",
    )
}  # fmt: skip
SNOOZE_FOR = {
    "snooze-1h": dt.timedelta(hours=1),
    "snooze-24h": dt.timedelta(hours=24),
    "snooze-7d": dt.timedelta(days=7),
}
DONE = {
    "wake": "The rule is awake again.",
    "pause": "The rule is paused: it is not checked until you resume it.",
    "resume": "The rule is checked again.",
}
FORM_OUTPUTS = [Output(field_id(name), "value") for name in FIELDS]
FORM_STATES = [State(field_id(name), "value") for name in FIELDS]

dash.register_page(
    __name__,
    path="/alerts",
    name="Alerts",
    title="Alerts · KIKI Analytics",
    order=25,
    nav=True,
    min_role="viewer",
    id_prefix=f"{PREFIX}-",
)


def layout(**_ignored):
    can_edit = g.scope.allows("analyst")
    choices = rule_choices(db_session(), g.scope)
    form = dbc.Collapse(
        dbc.Card(
            [
                dbc.CardHeader(
                    html.H2("New alert rule", id=ID["form-title"], className="h5 mb-0")
                ),
                dbc.CardBody(
                    [
                        rule_form(choices),
                        message_area(ID["form-notice"]),
                        html.Div(
                            [
                                dbc.Button("Save rule", id=ID["save"], color="primary"),
                                dbc.Button(
                                    "Cancel",
                                    id=ID["cancel"],
                                    color="secondary",
                                    outline=True,
                                ),
                            ],
                            className="d-flex gap-2 mt-3",
                        ),
                    ]
                ),
            ],
            className="mb-3",
        ),
        id=ID["form"],
        is_open=False,
    )
    return html.Div(
        [
            html.Div(
                [
                    html.H1("Alerts", className="h3 mb-0"),
                    dbc.Button(
                        "New alert rule",
                        id=ID["new"],
                        color="primary",
                        size="sm",
                        # Viewers read; the data layer refuses their writes as well.
                        className=None if can_edit else "d-none",
                    ),
                ],
                className="d-flex justify-content-between align-items-center mb-2 gap-2",
            ),
            html.P(
                "Rules are checked when new numbers arrive and at least every minute. "
                "A rule fires once per episode on each channel, reminds you if you asked, "
                "and tells you when it resolves.",
                className="text-body-secondary small",
            ),
            dcc.Store(id=ID["changed"], data=0),
            dcc.Store(id=ID["editing"], data=None),
            dcc.Store(id=ID["deleting"], data=None),
            dcc.ConfirmDialog(
                id=ID["confirm"], message="Delete this alert rule and its history?"
            ),
            message_area(ID["notice"]),
            form,
            html.Div(skeleton_lines(4), id=ID["list"]),
        ]
    )


@callback(
    Output(ID["list"], "children"),
    Input(ID["changed"], "data"),
    Input(LIVE_ALERTS_ID, "data"),  # an evaluation or another person changed a rule
)
def update_rule_list(_changed, _live):
    """The organization's rules, firing first."""
    frame = alert_rules(db_session(), g.scope)
    return rule_list(frame, g.scope.allows("analyst"), dt.datetime.now(dt.UTC))


@callback(
    Output({"type": f"{PREFIX}-history", "index": MATCH}, "children"),
    Input({"type": ACTION_TYPE, "index": MATCH, "action": "history"}, "n_clicks"),
    prevent_initial_call=True,
)
def show_rule_history(n_clicks):
    """Every other click shows the rule's episodes."""
    trigger = clicked()
    if not isinstance(n_clicks, int) or n_clicks % 2 == 0:
        return None
    try:
        frame = alert_episodes(db_session(), g.scope, trigger.get("index"))
    except DataError as error:
        return data_error_message(error)
    return episode_table(frame)


def _form_values(row) -> list:
    def value(name):
        item = row.get(name) if row is not None else None
        if name == "channels":
            return list(item) if item else ["in_app"]
        if name == "recipient_ids":
            return list(item) if item else []
        if item is None or (not isinstance(item, list) and pd.isna(item)):
            defaults = {"condition": "roas_below", "target": "organization",
                        "window_days": 7, "for_minutes": 0, "platform": "meta"}  # fmt: skip
            return defaults.get(name)
        return str(item) if name in ("threshold", "min_spend") else item

    return [value(name) for name in FIELDS]


@callback(
    Output(ID["form"], "is_open"),
    Output(ID["form-title"], "children"),
    Output(ID["editing"], "data"),
    Output(ID["form-notice"], "children"),
    *FORM_OUTPUTS,
    Input(ID["new"], "n_clicks"),
    Input(ID["cancel"], "n_clicks"),
    Input({"type": ACTION_TYPE, "index": ALL, "action": "edit"}, "n_clicks"),
    prevent_initial_call=True,
)
def open_rule_form(_new, _cancel, _edit):
    """Open the form empty (new), filled with a rule (edit), or close it (cancel)."""
    trigger = clicked()
    if trigger == ID["cancel"]:
        return False, dash.no_update, None, None, *[dash.no_update] * len(FIELDS)
    if trigger == ID["new"]:
        return True, "New alert rule", None, None, *_form_values(None)
    rule_id = trigger.get("index") if isinstance(trigger, dict) else None
    frame = alert_rules(db_session(), g.scope)
    found = frame[frame["rule_id"] == rule_id]
    if not isinstance(rule_id, int) or found.empty:
        raise PreventUpdate
    row = found.iloc[0].to_dict()
    editing = {"rule_id": rule_id, "version": int(row["version"])}
    return True, f"Edit “{row['name']}”", editing, None, *_form_values(row)


@callback(
    Output(ID["changed"], "data"),
    Output(ID["form"], "is_open", allow_duplicate=True),
    Output(ID["form-notice"], "children", allow_duplicate=True),
    Output(ID["notice"], "children"),
    Input(ID["save"], "n_clicks"),
    State(ID["editing"], "data"),
    State(ID["changed"], "data"),
    *FORM_STATES,
    prevent_initial_call=True,
)
def save_rule(_save, editing, changed, *values):
    """Create or edit the rule; a refusal names its field and nothing is written."""
    clicked()
    raw = dict(zip(FIELDS, values, strict=True))
    changed = (changed if isinstance(changed, int) else 0) + 1
    try:
        with write_transaction() as db:
            if isinstance(editing, dict) and isinstance(editing.get("rule_id"), int):
                version = editing.get("version")
                rule = edit_alert_rule(
                    db, g.scope, editing["rule_id"], raw,
                    version=version if isinstance(version, int) else None,
                    ip_address=request.remote_addr,
                )  # fmt: skip
                done = f"“{rule.name}” was saved; it is checked again now."
            else:
                rule = create_alert_rule(
                    db, g.scope, raw, ip_address=request.remote_addr
                )
                done = f"“{rule.name}” was added; it is checked within a minute."
    except InvalidField as error:
        label = FIELD_LABELS.get(error.field, error.field)
        return dash.no_update, True, f"{label}: {error.message}", dash.no_update
    except DataError as error:
        return dash.no_update, True, data_error_message(error), dash.no_update
    return changed, False, None, done


@callback(
    Output(ID["changed"], "data", allow_duplicate=True),
    Output(ID["notice"], "children", allow_duplicate=True),
    Output(ID["confirm"], "displayed"),
    Output(ID["deleting"], "data"),
    Input({"type": ACTION_TYPE, "index": ALL, "action": ALL}, "n_clicks"),
    State(ID["changed"], "data"),
    prevent_initial_call=True,
)
def act_on_rule(_clicks, changed):
    """Snooze, wake, pause or resume a rule at once; ask before deleting it."""
    trigger = clicked()
    action = trigger.get("action") if isinstance(trigger, dict) else None
    rule_id = trigger.get("index") if isinstance(trigger, dict) else None
    if action in ("edit", "history") or not isinstance(rule_id, int):
        raise PreventUpdate
    if action == "delete":
        return dash.no_update, None, True, rule_id
    changed = (changed if isinstance(changed, int) else 0) + 1
    now = dt.datetime.now(dt.UTC)
    try:
        with write_transaction() as db:
            if action in SNOOZE_FOR:
                rule = snooze_rule(
                    db,
                    g.scope,
                    rule_id,
                    now + SNOOZE_FOR[action],
                    ip_address=request.remote_addr,
                )
                done = f"“{rule.name}” is snoozed until {rule.snoozed_until:%Y-%m-%d %H:%M} UTC."
            elif action == "wake":
                rule = snooze_rule(
                    db, g.scope, rule_id, None, ip_address=request.remote_addr
                )
                done = DONE[action]
            elif action in ("pause", "resume"):
                set_rule_active(
                    db,
                    g.scope,
                    rule_id,
                    action == "resume",
                    ip_address=request.remote_addr,
                )
                done = DONE[action]
            else:
                raise PreventUpdate
    except DataError as error:
        return dash.no_update, data_error_message(error), False, None
    return changed, done, False, None


@callback(
    Output(ID["changed"], "data", allow_duplicate=True),
    Output(ID["notice"], "children", allow_duplicate=True),
    Input(ID["confirm"], "submit_n_clicks"),
    State(ID["deleting"], "data"),
    State(ID["changed"], "data"),
    prevent_initial_call=True,
)
def delete_confirmed_rule(_submitted, rule_id, changed):
    """Delete the rule the person confirmed."""
    if not isinstance(rule_id, int):
        raise PreventUpdate
    try:
        with write_transaction() as db:
            delete_rule(db, g.scope, rule_id, ip_address=request.remote_addr)
    except DataError as error:
        return dash.no_update, data_error_message(error)
    return (changed if isinstance(changed, int) else 0) + 1, "The rule was deleted."


# The fields a condition and a target do not use are disabled (a screen reader says so too).
clientside_callback(
    """
    function (condition, target) {
        const windowed = ["roas_below", "cpa_above", "zero_conversions"];
        return [
            target !== "platform",
            target !== "campaign",
            !windowed.includes(condition),
            condition !== "zero_conversions",
        ];
    }
    """,
    Output(field_id("platform"), "disabled"),
    Output(field_id("campaign_id"), "disabled"),
    Output(field_id("window_days"), "disabled"),
    Output(field_id("min_spend"), "disabled"),
    Input(field_id("condition"), "value"),
    Input(field_id("target"), "value"),
)
