"""The /alerts page's pieces: a rule in words, its state badge, the rule list, a rule's episodes
and the rule form. Pure builders: they never query."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from components.approvals import when
from components.labels import platform_label
from data.alerts.conditions import shown
from data.models import ALERT_CHANNELS, ALERT_CONDITIONS, PLATFORMS

PREFIX = "alerts"
ACTION_TYPE = f"{PREFIX}-action"
# Each state in words, with a colour and a sign, so colour never carries the meaning alone.
STATES = {
    "ok": ("OK", "success", "✓"),
    "pending": ("Pending", "warning", "…"),
    "firing": ("Firing", "danger", "!"),
    "resolved": ("Resolved", "info", "✓"),
    "snoozed": ("Snoozed", "secondary", "z"),
    "error": ("Error", "danger", "×"),
    "unchecked": ("Not checked yet", "secondary", "…"),
}
CONDITION_LABELS = {
    "roas_below": "ROAS below",
    "cpa_above": "CPA above",
    "pacing_above": "Spend pacing above (% of budget)",
    "zero_conversions": "No conversions while spend is above",
    "revenue_drop": "Day-over-day revenue drop above (%)",
}
CHANNEL_LABELS = {"in_app": "In the app", "email": "E-mail", "webhook": "Webhooks"}
TARGET_LABELS = {
    "organization": "The whole organization",
    "platform": "One platform",
    "campaign": "One campaign",
}
SNOOZES = (("1h", "1 hour"), ("24h", "24 hours"), ("7d", "7 days"))
FIELDS = (
    "name", "condition", "target", "platform", "campaign_id", "threshold", "window_days",
    "min_spend", "for_minutes", "reminder_hours", "channels", "recipient_ids",
)  # fmt: skip
FIELD_LABELS = {
    "name": "Name",
    "condition": "Condition",
    "target": "Watch",
    "platform": "Platform",
    "campaign_id": "Campaign",
    "threshold": "Threshold",
    "window_days": "Over the last (days)",
    "min_spend": "Spend above",
    "for_minutes": "Breached for (minutes) before firing",
    "reminder_hours": "Remind every (hours, empty: never)",
    "channels": "Tell by",
    "recipient_ids": "Tell",
}


def field_id(name: str) -> str:
    return f"{PREFIX}-field-{name}"


def target_words(row) -> str:
    if row["target"] == "platform":
        return platform_label(row["platform"])
    if row["target"] == "campaign":
        return row["campaign_name"] or "A deleted campaign"
    return "Whole organization"


def condition_words(row) -> str:
    """A rule's condition in one phrase: "ROAS below 2.00× over the last 7 days"."""
    condition, days = row["condition"], int(row["window_days"] or 1)
    threshold = shown(condition, row["threshold"])
    over = f"over the last {days} day{'s' if days != 1 else ''}"
    match condition:
        case "roas_below":
            return f"ROAS below {threshold} {over}"
        case "cpa_above":
            return f"CPA above {threshold} {over}"
        case "pacing_above":
            return f"Spend above {threshold} of budget (pro-rated)"
        case "zero_conversions":
            floor = 0 if pd.isna(row["min_spend"]) else row["min_spend"]
            return f"No conversions {over} with spend above {shown(condition, floor)}"
        case "revenue_drop":
            return f"Yesterday's revenue more than {threshold} below the day before"
    return str(row["condition"])


def finding_words(row) -> str:
    """What the last evaluation found, in one sentence: its message ("Spend at 12.0 % of
    budget, not above 110.0 %"; "No value: no spend in the window"; the error), or the value
    alone when there is no message."""
    message = row["last_message"]
    if isinstance(message, str) and message:
        return message[0].upper() + message[1:]
    return shown(row["condition"], row["last_value"])


def state_badge(state: str, snoozed_until=None) -> dbc.Badge:
    label, color, sign = STATES.get(state, (state, "secondary", "?"))
    if state == "snoozed" and snoozed_until is not None and not pd.isna(snoozed_until):
        label = f"Snoozed until {when(snoozed_until)}"
    return dbc.Badge(
        [html.Span(sign, **{"aria-hidden": "true"}, className="me-1"), label],
        color=color,
        text_color="dark" if color in ("warning", "info") else None,
        className="alert-state",
    )


def _action(label: str, rule_id: int, action: str, **props) -> dbc.Button:
    return dbc.Button(
        label,
        id={"type": ACTION_TYPE, "index": rule_id, "action": action},
        size="sm",
        color=props.pop("color", "secondary"),
        outline=True,
        **props,
    )


def snoozed_until(row, now):
    """When the rule's snooze ends, or None when it is not snoozed (an ended snooze too)."""
    until = row["snoozed_until"]
    if until is None or pd.isna(until):
        return None
    until = pd.Timestamp(until)
    until = until.tz_localize("UTC") if until.tzinfo is None else until
    return until if until > pd.Timestamp(now) else None


def _actions(row, rule_id: int, snoozed: bool) -> html.Div:
    buttons = [_action("Edit", rule_id, "edit")]
    if snoozed:
        buttons.append(_action("Wake", rule_id, "wake"))
    else:
        buttons.extend(
            _action(f"Snooze {words}", rule_id, f"snooze-{key}")
            for key, words in SNOOZES
        )
    buttons.append(
        _action("Resume", rule_id, "resume")
        if not row["is_active"]
        else _action("Pause", rule_id, "pause")
    )
    buttons.append(_action("Delete", rule_id, "delete", color="danger"))
    return html.Div(buttons, className="d-flex flex-wrap gap-2 mt-2")


def rule_list(frame: pd.DataFrame, can_edit: bool, now) -> html.Div:
    """The rules, each with its state, what was found when, and (for analysts) its actions;
    ``now`` (aware) tells a running snooze from an ended one."""
    if frame.empty:
        return html.P(
            "No alert rules yet."
            + (" Add one to be told when a campaign needs you." if can_edit else ""),
            className="text-body-secondary",
        )
    items = []
    for _, row in frame.iterrows():
        rule_id = int(row["rule_id"])
        until = snoozed_until(row, now)
        checked = row["last_evaluated_at"] is not None and not pd.isna(
            row["last_evaluated_at"]
        )
        found = (
            f"Last checked {when(row['last_evaluated_at'])}: {finding_words(row)}"
            if checked
            else "Not checked yet."
        )
        details = [
            html.Div(
                [
                    html.Span(row["name"], className="fw-semibold me-2"),
                    state_badge(
                        row["state"] if checked else "unchecked", row["snoozed_until"]
                    ),
                    dbc.Badge(
                        f"Snoozed until {when(until)}",
                        color="secondary",
                        className="ms-1",
                    )
                    if until is not None and row["state"] != "snoozed"
                    else None,
                    dbc.Badge("Paused", color="secondary", className="ms-2")
                    if not row["is_active"]
                    else None,
                ],
                className="d-flex flex-wrap align-items-center gap-1",
            ),
            html.Div(
                f"{condition_words(row)} · {target_words(row)}",
                className="small",
            ),
            html.Div(
                found,
                className="small text-danger-emphasis"
                if checked and row["state"] == "error"
                else "small text-body-secondary",
            ),
        ]
        details.append(
            html.Div(
                [
                    dbc.Button(
                        "History",
                        id={"type": ACTION_TYPE, "index": rule_id, "action": "history"},
                        size="sm",
                        color="link",
                        className="p-0 me-3",
                    ),
                    html.Div(id={"type": f"{PREFIX}-history", "index": rule_id}),
                ]
            )
        )
        if can_edit:
            details.append(_actions(row, rule_id, until is not None))
        items.append(dbc.ListGroupItem(details, className=f"alert-rule-{row['state']}"))
    return dbc.ListGroup(items, id=f"{PREFIX}-rules")


def episode_table(frame: pd.DataFrame) -> html.Div:
    """A rule's firing episodes: when it fired and resolved, and the values found."""
    if frame.empty:
        return html.P("It has not fired.", className="small text-body-secondary mb-0")
    header = html.Thead(
        html.Tr(
            [
                html.Th("Breached since", scope="col"),
                html.Th("Fired", scope="col"),
                html.Th("Value", scope="col"),
                html.Th("Resolved", scope="col"),
                html.Th("Value", scope="col"),
                html.Th("Reminders", scope="col"),
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(when(row["breached_since"])),
                    html.Td(when(row["fired_at"])),
                    html.Td(shown(row["condition"], row["fired_value"])),
                    html.Td(
                        when(row["resolved_at"])
                        if row["resolved_at"] is not None
                        and not pd.isna(row["resolved_at"])
                        else "Still firing"
                    ),
                    html.Td(shown(row["condition"], row["resolved_value"])),
                    html.Td(int(row["reminders_sent"])),
                ]
            )
            for _, row in frame.iterrows()
        ]
    )
    return html.Div(
        dbc.Table([header, body], size="sm", className="mb-0 small"),
        className="table-responsive",
    )


def _labelled(name: str, control, md: int = 6, hint: str | None = None) -> dbc.Col:
    return dbc.Col(
        [
            dbc.Label(
                FIELD_LABELS[name], html_for=field_id(name), className="small mb-1"
            ),
            control,
            html.Div(hint, className="form-text") if hint else None,
        ],
        md=md,
    )


def rule_form(choices: dict) -> html.Div:
    """The rule form's fields (empty; the page fills them to edit a rule)."""
    campaigns = [{"label": name, "value": cid} for cid, name in choices["campaigns"]]
    people = [{"label": name, "value": uid} for uid, name in choices["people"]]
    return dbc.Row(
        [
            _labelled("name", dbc.Input(id=field_id("name"), maxLength=120), md=12),
            _labelled(
                "condition",
                dbc.Select(
                    id=field_id("condition"),
                    options=[
                        {"label": CONDITION_LABELS[c], "value": c}
                        for c in ALERT_CONDITIONS
                    ],
                    value="roas_below",
                ),
            ),
            _labelled(
                "threshold",
                dbc.Input(id=field_id("threshold"), inputmode="decimal"),
                hint="ROAS as a ratio (2 = 2×), CPA and spend in your currency, "
                "pacing and drops in %.",
            ),
            _labelled(
                "target",
                dbc.Select(
                    id=field_id("target"),
                    options=[
                        {"label": v, "value": k} for k, v in TARGET_LABELS.items()
                    ],
                    value="organization",
                ),
            ),
            _labelled(
                "platform",
                dbc.Select(
                    id=field_id("platform"),
                    options=[
                        {"label": platform_label(p), "value": p} for p in PLATFORMS
                    ],
                    value=PLATFORMS[0],
                ),
                md=3,
            ),
            _labelled(
                "campaign_id",
                dbc.Select(id=field_id("campaign_id"), options=campaigns),
                md=3,
            ),
            _labelled(
                "window_days",
                dbc.Input(
                    id=field_id("window_days"), type="number", min=1, max=90, value=7
                ),
                md=4,
            ),
            _labelled(
                "min_spend",
                dbc.Input(id=field_id("min_spend"), inputmode="decimal"),
                md=4,
                hint="For “no conversions” only.",
            ),
            _labelled(
                "for_minutes",
                dbc.Input(id=field_id("for_minutes"), type="number", min=0, value=0),
                md=4,
            ),
            _labelled(
                "reminder_hours",
                dbc.Input(id=field_id("reminder_hours"), type="number", min=1),
                md=4,
            ),
            _labelled(
                "channels",
                dbc.Checklist(
                    id=field_id("channels"),
                    options=[
                        {"label": CHANNEL_LABELS[c], "value": c} for c in ALERT_CHANNELS
                    ],
                    value=["in_app"],
                    inline=True,
                ),
                md=8,
            ),
            _labelled(
                "recipient_ids",
                dbc.Checklist(id=field_id("recipient_ids"), options=people, value=[]),
                md=12,
                hint="Nobody ticked: you.",
            ),
        ],
        className="g-3",
    )
