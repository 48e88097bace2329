"""New campaign (/campaigns/new) and edit a draft (/campaigns/<id>/edit): analysts and admins.

Saving writes a draft through data/writes/campaigns.py in one transaction; "Save and submit"
also opens the budget request in the same transaction. A refusal names its field, shown beside
it, and nothing is written.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html
from dash.exceptions import PreventUpdate
from flask import g, request

from components.campaign_form import (
    INPUT_FIELDS,
    MESSAGE_KEYS,
    PREFIX,
    VARIANT_FIELDS,
    all_keys,
    campaign_form,
    field_id,
    field_key,
    field_label,
    message_id,
    variant_key,
)
from components.controls import message_area
from components.data_errors import data_error_message
from components.labels import status_label
from data.campaign_rules import MAX_VARIANTS, InvalidField, settings_of
from data.clock import today
from data.db import read_session
from data.errors import DataError, NotFound
from data.reads.campaign_lifecycle import campaign_draft
from data.writes.campaigns import create_campaign, edit_campaign, submit_for_approval
from data.writes.transaction import write_transaction

ID = {
    name: f"{PREFIX}-{name}"
    for name in ("campaign-id", "version", "save", "submit", "notice", "go")
}
EDITABLE = ("draft", "rejected")

dash.register_page(
    __name__,
    path="/campaigns/new",
    name="New campaign",
    title="New campaign · KIKI Analytics",
    order=11,  # before the detail page's /campaigns/<campaign_id>, which would match too
    nav=False,
    min_role="analyst",
    id_prefix=f"{PREFIX}-",
)


def _page(heading: str, form, campaign_id=None, version=None, back="/campaigns"):
    return html.Div(
        [
            dcc.Location(id=ID["go"], refresh="callback-nav"),
            dcc.Store(id=ID["campaign-id"], data=campaign_id),
            dcc.Store(id=ID["version"], data=version),
            dcc.Link("← Back", href=back, className="small"),
            html.H1(heading, className="h3 mt-1 mb-3"),
            dbc.Row(
                dbc.Col(
                    [
                        form,
                        message_area(ID["notice"]),
                        html.Div(
                            [
                                dbc.Button(
                                    "Save draft",
                                    id=ID["save"],
                                    color="primary",
                                    className="me-2",
                                ),
                                dbc.Button(
                                    "Save and submit for approval",
                                    id=ID["submit"],
                                    color="success",
                                ),
                            ],
                            className="mt-2 mb-4",
                        ),
                    ],
                    lg=8,
                )
            ),
        ]
    )


def _form_for(values: dict) -> html.Div:
    settings = settings_of(read_session(), g.scope.organization_id)
    ceiling = settings.max_budget_amount
    return campaign_form(
        values, settings.currency, None if ceiling is None else f"{ceiling:,.2f}"
    )


def layout(**_ignored):
    return _page("New campaign", _form_for({}))


def edit_layout(campaign_id=None, **_ignored):
    try:
        draft = campaign_draft(read_session(), g.scope, campaign_id)
    except NotFound:
        return html.Div(
            [
                html.H1("Campaign not found", className="h3"),
                html.P("There is no campaign at this address in your organization."),
                dcc.Link("Back to all campaigns", href="/campaigns"),
            ]
        )
    back = f"/campaigns/{draft['campaign_id']}"
    if draft["status"] not in EDITABLE:
        status = status_label(draft["status"]).lower()
        return html.Div(
            [
                html.H1(f"Edit {draft['name']}", className="h3"),
                dbc.Alert(
                    f"This campaign is {status}: only drafts and rejected campaigns "
                    "can be edited.",
                    color="info",
                ),
                dcc.Link("Back to the campaign", href=back),
            ]
        )
    return _page(
        f"Edit {draft['name']}",
        _form_for(draft),
        campaign_id=draft["campaign_id"],
        version=draft["version"],
        back=back,
    )


dash.register_page(
    f"{__name__}_edit",
    path_template="/campaigns/<campaign_id>/edit",
    name="Edit campaign",
    title="Edit campaign · KIKI Analytics",
    order=12,
    nav=False,
    min_role="analyst",
    id_prefix=f"{PREFIX}-",
    layout=edit_layout,
)

# Show as many variant slots as the count says; add and remove change the count (1 to 10).
clientside_callback(
    f"""
    function(add, remove, count) {{
        const trigger = (window.dash_clientside.callback_context.triggered[0] || {{}}).prop_id || '';
        let n = Number.isInteger(count) ? count : 1;
        if (trigger.startsWith('{PREFIX}-add-variant')) n = Math.min(n + 1, {MAX_VARIANTS});
        if (trigger.startsWith('{PREFIX}-remove-variant')) n = Math.max(n - 1, 1);
        const hidden = Array.from({{length: {MAX_VARIANTS}}}, (_, i) => i >= n);
        return [n, ...hidden];
    }}
    """,
    Output(f"{PREFIX}-variant-count", "data"),
    *[Output(f"{PREFIX}-variant-{i}", "hidden") for i in range(MAX_VARIANTS)],
    Input(f"{PREFIX}-add-variant", "n_clicks"),
    Input(f"{PREFIX}-remove-variant", "n_clicks"),
    State(f"{PREFIX}-variant-count", "data"),
    prevent_initial_call=True,
)

KEYS = all_keys()
INVALID_KEYS = list(INPUT_FIELDS) + [
    variant_key(i, f) for i in range(MAX_VARIANTS) for f in VARIANT_FIELDS
]


def form_values(values: dict, count) -> dict:
    """The form's values as the data layer reads them (variants: the shown slots)."""
    shown = count if isinstance(count, int) and 1 <= count <= MAX_VARIANTS else 1
    raw = {key: values.get(key) for key in KEYS if not key.startswith("v")}
    raw["variants"] = [
        {f: values.get(variant_key(i, f)) for f in VARIANT_FIELDS} for i in range(shown)
    ]
    return raw


def _save(raw: dict, campaign_id, version, submit: bool) -> int:
    """Create or edit the draft (and submit it) in one transaction; the campaign id."""
    address = request.remote_addr
    with write_transaction() as db:
        if campaign_id is None:
            campaign_id = create_campaign(db, g.scope, raw, ip_address=address)
        else:
            edit_campaign(
                db, g.scope, campaign_id, raw, expected_version=version,
                ip_address=address,
            )  # fmt: skip
        if submit:
            submit_for_approval(
                db, g.scope, campaign_id, today=today(), ip_address=address
            )
    return campaign_id


@callback(
    *[Output(message_id(key), "children") for key in MESSAGE_KEYS],
    *[Output(field_id(key), "invalid") for key in INVALID_KEYS],
    Output(ID["notice"], "children"),
    Output(ID["go"], "href"),
    Input(ID["save"], "n_clicks"),
    Input(ID["submit"], "n_clicks"),
    *[State(field_id(key), "value") for key in KEYS],
    State(f"{PREFIX}-variant-count", "data"),
    State(ID["campaign-id"], "data"),
    State(ID["version"], "data"),
    prevent_initial_call=True,
)
def save_campaign_form(save_clicks, submit_clicks, *rest):
    """Save the draft (and submit it): go to the campaign, or show the refusal by its field."""
    if not (save_clicks or submit_clicks):
        raise PreventUpdate
    values = dict(zip(KEYS, rest[: len(KEYS)]))
    count, campaign_id, version = rest[len(KEYS) :]
    submit = ctx.triggered_id == ID["submit"]
    messages = dict.fromkeys(MESSAGE_KEYS)
    try:
        saved = _save(form_values(values, count), campaign_id, version, submit)
    except InvalidField as error:
        key = field_key(error.field)
        if key:
            messages[key] = error.message
        notice = dbc.Alert(
            f"Nothing was saved. {field_label(error.field)}: {error.message}",
            color="warning",
            className="py-2",
        )
        return _answer(messages, notice, dash.no_update)
    except DataError as error:
        notice = dbc.Alert(
            f"Nothing was saved. {data_error_message(error)}",
            color="warning",
            className="py-2",
        )
        return _answer(messages, notice, dash.no_update)
    return _answer(messages, None, f"/campaigns/{saved}")


def _answer(messages: dict, notice, href) -> tuple:
    invalid = [bool(messages.get(key)) for key in INVALID_KEYS]
    return (*[messages[key] for key in MESSAGE_KEYS], *invalid, notice, href)
