"""The approval queue's table and the review panel an admin decides in."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from components.labels import (
    budget_type_label,
    platform_label,
    platforms_label,
    status_label,
)

PREFIX = "approvals"
REVIEW_TYPE = f"{PREFIX}-review"
STATUS_COLORS = {
    "pending": "warning",
    "approved": "success",
    "rejected": "danger",
    "cancelled": "secondary",
}


def amount_in(value, currency: str) -> str:
    """An amount in the request's own currency: "1,250.00 EUR" ("—" for none)."""
    if value is None or pd.isna(value):
        return "—"
    return f"{value:,.2f} {currency}"


def when(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:%Y-%m-%d %H:%M} UTC"


def status_badge(status: str, auto: bool = False) -> dbc.Badge:
    text = status_label(status)
    if auto:
        text += " (auto)"
    return dbc.Badge(
        text,
        color=STATUS_COLORS.get(status, "secondary"),
        text_color="dark" if status == "pending" else None,
    )


def _decision(row) -> str:
    if row["status"] == "pending":
        return ""
    if row["auto_approved"]:
        return "At or under the auto-approve ceiling."
    who = row["decided_by"] or "—"
    text = f"{who}, {when(row['decided_at'])}"
    if row["decision_reason"]:
        text += f": {row['decision_reason']}"
    return text


def queue_table(frame: pd.DataFrame, can_decide: bool) -> html.Div:
    """One row per request: campaign, amounts, who asked when, status, decision, Review."""
    if frame.empty:
        return html.P("No budget requests match.", className="text-body-secondary")
    headings = ["Campaign", "Platforms", "Budget", "Requested", "Approved"]
    headings += ["Requested by", "Requested at", "Status", "Decision"]
    if can_decide:
        headings.append(html.Span("Action", className="visually-hidden"))
    rows = []
    for _, row in frame.iterrows():
        currency = row["currency"]
        approved = row["approved_amount"]
        cells = [
            html.Td(
                dcc.Link(row["campaign_name"], href=f"/campaigns/{row['campaign_id']}")
            ),
            html.Td(platforms_label(row["platforms"])),
            html.Td(budget_type_label(row["budget_type"])),
            html.Td(
                f"{amount_in(row['requested_amount'], currency)}", className="text-end"
            ),
            html.Td(
                "—"
                if approved is None or pd.isna(approved)
                else f"{amount_in(approved, currency)}",
                className="text-end",
            ),
            html.Td(row["requested_by"] or "—"),
            html.Td(when(row["requested_at"])),
            html.Td(status_badge(row["status"], bool(row["auto_approved"]))),
            html.Td(_decision(row), className="small"),
        ]
        if can_decide:
            cells.append(
                html.Td(
                    dbc.Button(
                        "Review",
                        id={"type": REVIEW_TYPE, "index": int(row["request_id"])},
                        size="sm",
                        color="primary",
                        outline=True,
                        title=f"Review the request for {row['campaign_name']}",
                    )
                    if row["status"] == "pending"
                    else None
                )
            )
        rows.append(html.Tr(cells, id=f"{PREFIX}-row-{int(row['request_id'])}"))
    header = html.Thead(html.Tr([html.Th(h, scope="col") for h in headings]))
    # Its own scroller: on a phone the table scrolls, not the page (dbc's responsive=True did
    # not wrap a table that has an id).
    return html.Div(
        dbc.Table(
            [header, html.Tbody(rows)],
            size="sm",
            hover=True,
            id=f"{PREFIX}-queue-table",
        ),
        className="table-responsive",
        tabIndex="0",
        role="region",
        **{"aria-label": "Budget requests"},
    )


def worst_case_table(frame: pd.DataFrame, currency: str) -> dbc.Table:
    headings = ["Platform", "Budget", "Worst day", "Worst month", "Rule"]
    rows = [
        html.Tr(
            [
                html.Td(platform_label(row["platform"])),
                html.Td(f"{amount_in(row['amount'], currency)} {row['budget_type']}"),
                html.Td(
                    f"{amount_in(row['worst_day'], currency)}", className="text-end"
                ),
                html.Td(
                    f"{amount_in(row['worst_month'], currency)}", className="text-end"
                ),
                html.Td(row["rule"], className="small"),
            ]
        )
        for _, row in frame.iterrows()
    ]
    header = html.Thead(html.Tr([html.Th(h, scope="col") for h in headings]))
    return dbc.Table(
        [header, html.Tbody(rows)],
        size="sm",
        responsive=True,
        id=f"{PREFIX}-worst-case",
    )


def month_summary(month: pd.DataFrame) -> html.P:
    row = month.iloc[0]
    currency = row["currency"]
    text = (
        f"Spent this month (from {row['month_start']:%Y-%m-%d}): "
        f"{amount_in(row['spend_to_date'], currency)}."
    )
    cap = row["monthly_spend_cap"]
    if cap is None or pd.isna(cap):
        text += " No monthly spending cap is set."
    else:
        text += (
            f" Monthly cap {amount_in(cap, currency)}; remaining "
            f"{amount_in(row['cap_remaining'], currency)}."
        )
    return html.P(text, id=f"{PREFIX}-month")


def review_panel(
    request: pd.Series, worst: pd.DataFrame, month: pd.DataFrame
) -> dbc.Card:
    """What the approver sees before deciding, and the amount/reason/decide controls."""
    currency = request["currency"]
    amount = f"{request['requested_amount']:.2f}"
    return dbc.Card(
        [
            dbc.CardHeader(
                html.H2(f"Review: {request['campaign_name']}", className="h5 mb-0")
            ),
            dbc.CardBody(
                [
                    html.P(
                        [
                            (
                                f"{request['requested_by'] or 'Someone'} asks for a "
                                f"{request['budget_type']} budget of "
                            ),
                            html.Strong(
                                f"{amount_in(request['requested_amount'], currency)}"
                            ),
                            (
                                f" on {platforms_label(request['platforms'])} "
                                f"({when(request['requested_at'])})."
                            ),
                        ]
                    ),
                    html.H3("Worst-case spend", className="h6"),
                    worst_case_table(worst, currency),
                    month_summary(month),
                    dbc.Row(
                        [
                            dbc.Col(
                                [
                                    dbc.Label(
                                        "Approve amount", html_for=f"{PREFIX}-amount"
                                    ),
                                    dbc.InputGroup(
                                        [
                                            dbc.Input(
                                                id=f"{PREFIX}-amount",
                                                value=amount,
                                                inputmode="decimal",
                                            ),
                                            dbc.InputGroupText(currency),
                                        ]
                                    ),
                                    dbc.FormText(
                                        "Lower it to approve less (a reason is then required)."
                                    ),
                                ],
                                md=4,
                            ),
                            dbc.Col(
                                [
                                    dbc.Label("Reason", html_for=f"{PREFIX}-reason"),
                                    dbc.Textarea(
                                        id=f"{PREFIX}-reason", rows=2, maxLength=500
                                    ),
                                    dbc.FormText(
                                        "Required to reject or to approve a lower amount; "
                                        "the requester sees it."
                                    ),
                                ],
                                md=8,
                            ),
                        ],
                        className="g-3 mb-3",
                    ),
                    dbc.Button(
                        "Approve",
                        id=f"{PREFIX}-approve",
                        color="success",
                        className="me-2",
                    ),
                    dbc.Button("Reject", id=f"{PREFIX}-reject", color="danger"),
                ]
            ),
        ],
        className="mb-3",
    )
