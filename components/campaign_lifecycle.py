"""The campaign page's lifecycle card: status, the pending request or last decision, the actions
the viewer may take, and who did what when (from the audit log)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from components.approvals import amount_in, status_badge, when
from components.labels import status_label

PREFIX = "campaign-lifecycle"
ACTION_TYPE = f"{PREFIX}-action"
DELETE_TYPE = f"{PREFIX}-delete"
# Button text per action; approve/reject happen on /approvals, edit on the form.
ACTION_WORDS = {
    "submit": "Submit for approval",
    "withdraw": "Withdraw the request",
    "activate": "Activate",
    "pause": "Pause",
    "resume": "Resume",
    "complete": "Mark completed",
}
ACTION_COLORS = {"submit": "success", "activate": "success", "resume": "success"}
HISTORY_WORDS = {
    "campaign_created": "Created",
    "campaign_edited": "Edited",
    "campaign_deleted": "Deleted",
    "campaign_submitted": "Submitted for approval",
    "campaign_withdrawn": "Request withdrawn",
    "budget_approved": "Budget approved",
    "budget_rejected": "Budget rejected",
    "budget_auto_approved": "Budget auto-approved",
    "campaign_activated": "Activated",
    "campaign_paused": "Paused",
    "campaign_resumed": "Resumed",
    "campaign_completed": "Completed",
}


def _request_line(requests: pd.DataFrame) -> html.P:
    if requests.empty:
        return html.P(
            "No budget request yet.",
            id=f"{PREFIX}-request",
            className="text-body-secondary",
        )
    last = requests.iloc[0]
    currency = last["currency"]
    asked = f"{amount_in(last['requested_amount'], currency)} ({last['budget_type']})"
    who = last["requested_by"] or "someone"
    if last["status"] == "pending":
        text = f"Waiting for approval: {asked}, requested by {who} {when(last['requested_at'])}."
    elif last["status"] == "approved":
        approved = f"{amount_in(last['approved_amount'], currency)}"
        by = "the auto-approve ceiling" if last["auto_approved"] else last["decided_by"]
        text = f"Approved {approved} of {asked}, by {by or '—'} {when(last['decided_at'])}."
        if last["decision_reason"]:
            text += f" Reason: {last['decision_reason']}"
    elif last["status"] == "rejected":
        text = (
            f"Rejected: {asked}, by {last['decided_by'] or '—'} "
            f"{when(last['decided_at'])}. Reason: {last['decision_reason']}"
        )
    else:
        text = f"The request for {asked} was withdrawn."
    return html.P(
        [status_badge(last["status"], bool(last["auto_approved"])), " ", text],
        id=f"{PREFIX}-request",
    )


def _buttons(campaign_id: int, actions: list[str], may_delete: bool) -> list:
    buttons = []
    if "edit" in actions:
        buttons.append(
            dbc.Button(
                "Edit",
                href=f"/campaigns/{campaign_id}/edit",
                color="primary",
                outline=True,
                size="sm",
                className="me-2 mb-2",
                id=f"{PREFIX}-edit",
            )
        )
    for action in actions:
        if action in ACTION_WORDS:
            buttons.append(
                dbc.Button(
                    ACTION_WORDS[action],
                    id={"type": ACTION_TYPE, "action": action},
                    color=ACTION_COLORS.get(action, "secondary"),
                    size="sm",
                    className="me-2 mb-2",
                )
            )
    if "approve" in actions:
        buttons.append(
            dbc.Button(
                "Review in approvals",
                href="/approvals",
                color="primary",
                size="sm",
                className="me-2 mb-2",
                id=f"{PREFIX}-review",
            )
        )
    if may_delete and "delete" in actions:
        buttons.append(
            dcc.ConfirmDialogProvider(
                dbc.Button(
                    "Delete draft",
                    color="danger",
                    outline=True,
                    size="sm",
                    className="mb-2",
                ),
                id={"type": DELETE_TYPE, "index": campaign_id},
                message="Delete this draft? It disappears from every list.",
            )
        )
    return buttons


def _history(history: pd.DataFrame) -> html.Details:
    rows = [
        html.Tr(
            [
                html.Td(when(row["created_at"])),
                html.Td(HISTORY_WORDS.get(row["action"], row["action"])),
                html.Td(row["actor_name"] or "—"),
                html.Td(_detail(row["details"]), className="small"),
            ]
        )
        for _, row in history.iterrows()
    ]
    header = html.Thead(
        html.Tr([html.Th(h, scope="col") for h in ("When", "What", "Who", "Details")])
    )
    return html.Details(
        [
            html.Summary(f"History ({len(rows)} steps)"),
            dbc.Table(
                [header, html.Tbody(rows)],
                size="sm",
                responsive=True,
                className="mt-2",
                id=f"{PREFIX}-history",
            ),
        ]
    )


def _detail(details: dict) -> str:
    parts = []
    for key, word in (("amount", "amount"), ("requested", "requested")):
        if details.get(key):
            parts.append(f"{word} {details[key]}")
    if details.get("approved"):
        parts.append(f"approved {details['approved']}")
    if details.get("reason"):
        parts.append(f"reason: {details['reason']}")
    return "; ".join(parts)


def lifecycle_card_body(
    campaign_id: int,
    status: str,
    actions: list[str],
    may_delete: bool,
    requests: pd.DataFrame,
    history: pd.DataFrame,
) -> list:
    words = status_label(status)
    return [
        html.P(
            ["Status: ", html.Strong(words, id=f"{PREFIX}-status")], className="mb-2"
        ),
        _request_line(requests),
        html.Div(
            _buttons(campaign_id, actions, may_delete)
            or html.P(
                "Nothing to do here for your role.", className="text-body-secondary"
            ),
            id=f"{PREFIX}-actions",
            className="lifecycle-actions",
        ),
        _history(history),
    ]
