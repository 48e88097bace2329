"""The /reports page's pieces: a subscription in words, the list, a subscription's runs and the
form with a message beside each field. Pure builders: they never query."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from components.approvals import when
from components.labels import platform_label
from data.filters import PRESETS
from data.models import LAST_DAY, PLATFORMS
from data.reports.rules import WEEKDAYS, schedule_words

PREFIX = "reports"
ACTION_TYPE = f"{PREFIX}-action"
OWNER_TYPE = f"{PREFIX}-owner"
VIEW_LABELS = {
    "overview": "Overview",
    "campaigns": "Campaign list",
    "campaign": "One campaign",
}
FREQUENCY_LABELS = {"daily": "Daily", "weekly": "Weekly", "monthly": "Monthly"}
OUTCOMES = {
    "ok": ("Sent", "success"),
    "failed": ("Failed", "danger"),
    "skipped": ("Skipped", "warning"),
    "running": ("Sending", "info"),
}
FIELDS = (
    "name", "view", "campaign_id", "range", "start", "end", "platform", "granularity",
    "frequency", "weekday", "month_day", "hour", "include_csv", "recipient_ids",
)  # fmt: skip
# Where a refusal is shown: start and end share the period's message.
ERROR_FIELDS = (
    "name", "view", "campaign_id", "range", "filters", "frequency", "weekday",
    "month_day", "hour", "recipient_ids",
)  # fmt: skip
FIELD_LABELS = {
    "name": "Name",
    "view": "Report",
    "campaign_id": "Campaign",
    "range": "Period",
    "start": "From",
    "end": "To",
    "platform": "Platforms",
    "granularity": "Chart buckets",
    "filters": "Filters",
    "frequency": "Send",
    "weekday": "On",
    "month_day": "On day",
    "hour": "At (your organization's time)",
    "include_csv": "Attachments",
    "recipient_ids": "Recipients",
}


def field_id(name: str) -> str:
    return f"{PREFIX}-field-{name}"


def error_id(name: str) -> str:
    return f"{PREFIX}-error-{name}"


def outcome_badge(outcome) -> dbc.Badge | None:
    if outcome is None or (not isinstance(outcome, str) and pd.isna(outcome)):
        return dbc.Badge("Not sent yet", color="secondary", className="ms-1")
    label, color = OUTCOMES.get(outcome, (outcome, "secondary"))
    return dbc.Badge(
        f"Last: {label}", color=color, className="ms-1",
        text_color="dark" if color in ("warning", "info") else None,
    )  # fmt: skip


def _action(label: str, number: int, action: str, **props) -> dbc.Button:
    return dbc.Button(
        label,
        id={"type": ACTION_TYPE, "index": number, "action": action},
        size="sm",
        color=props.pop("color", "secondary"),
        outline=props.pop("outline", True),
        **props,
    )


def _owner_picker(row, owners) -> html.Div:
    number = int(row["subscription_id"])
    picker = dbc.Select(
        id={"type": OWNER_TYPE, "index": number},
        options=[{"label": name, "value": str(uid)} for uid, name in owners],
        placeholder="New owner",
        size="sm",
    )
    return html.Div(
        [
            # The label wraps the select (a pattern id cannot be a label's "for").
            html.Label(
                [
                    html.Span(
                        f"New owner of {row['name']}", className="visually-hidden"
                    ),
                    picker,
                ],
                style={"maxWidth": "14rem"},
            ),
            _action("Reassign", number, "reassign"),
        ],
        className="d-flex gap-2 mt-2 align-items-center",
    )


def report_list(frame: pd.DataFrame, is_admin: bool, zone: str, owners) -> html.Div:
    """The subscriptions with their schedule, recipients, last outcome and actions; admins also
    see the owner, "owner left" and a way to reassign."""
    if frame.empty:
        return html.P(
            "No scheduled reports yet. Add one to get a view's PDF by e-mail.",
            className="text-body-secondary",
        )
    items = []
    for _, row in frame.iterrows():
        number = int(row["subscription_id"])
        view = VIEW_LABELS.get(row["view"], row["view"])
        if row["view"] == "campaign":
            view += f": {row['campaign_name'] or 'a deleted campaign'}"
        when_words = schedule_words(row["frequency"], int(row["hour"]),
                                    _maybe(row["weekday"]), _maybe(row["month_day"]))  # fmt: skip
        period = PRESETS.get(row["params"].get("range"), None) or (
            f"{row['params'].get('start')} to {row['params'].get('end')}"
        )
        heading = [
            html.Span(row["name"], className="fw-semibold me-2"),
            outcome_badge(row["last_outcome"]),
            dbc.Badge("Paused", color="secondary", className="ms-1") if row["paused"] else None,
            dbc.Badge("Owner left", color="danger", className="ms-1 report-owner-left")
            if row["owner_left"] else None,
        ]  # fmt: skip
        people = ", ".join(row["recipient_names"]) or "nobody (no active recipient)"
        details = [
            html.Div(heading, className="d-flex flex-wrap align-items-center gap-1"),
            html.Div(f"{view} · {period} · {when_words} ({zone})", className="small"),
            html.Div(f"To: {people}", className="small text-body-secondary"),
            html.Div(
                "Next: paused"
                if row["paused"]
                else f"Next: {_local(row['next_run_at'], zone)}",
                className="small text-body-secondary",
            ),
        ]
        if is_admin:
            details.append(
                html.Div(
                    f"Owner: {row['owner_name'] or 'removed'}",
                    className="small text-body-secondary",
                )
            )
        details.append(
            html.Div(
                [
                    dbc.Button(
                        "History",
                        size="sm",
                        color="link",
                        className="p-0 me-3",
                        id={"type": ACTION_TYPE, "index": number, "action": "history"},
                    ),
                    html.Div(id={"type": f"{PREFIX}-history", "index": number}),
                ]
            )
        )
        buttons = [
            _action("Edit", number, "edit"),
            _action("Send now", number, "send", color="primary"),
            _action("Resume", number, "resume") if row["paused"] else _action("Pause", number, "pause"),
            _action("Delete", number, "delete", color="danger"),
        ]  # fmt: skip
        details.append(html.Div(buttons, className="d-flex flex-wrap gap-2 mt-2"))
        if is_admin:
            details.append(_owner_picker(row, owners))
        items.append(dbc.ListGroupItem(details, id=f"{PREFIX}-item-{number}"))
    return dbc.ListGroup(items, id=f"{PREFIX}-subscriptions")


def _local(value, zone: str) -> str:
    """An instant as the organization's wall clock, e.g. "2026-12-11 09:00 (Europe/Berlin)"."""
    if value is None or pd.isna(value):
        return "—"
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    return f"{stamp.tz_convert(zone):%Y-%m-%d %H:%M} ({zone})"


def _maybe(value):
    return None if value is None or pd.isna(value) else int(value)


def run_table(frame: pd.DataFrame) -> html.Div:
    """A subscription's last runs: due time, how it was started, outcome and message."""
    if frame.empty:
        return html.P("Not sent yet.", className="small text-body-secondary mb-0")
    head = html.Thead(html.Tr([html.Th(t, scope="col") for t in
                               ("Due", "Started by", "Outcome", "Recipients", "Message")]))  # fmt: skip
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(when(row["due_at"])),
                    html.Td("Schedule" if row["trigger"] == "schedule" else "Send now"),
                    html.Td(OUTCOMES.get(row["outcome"], (row["outcome"],))[0]),
                    html.Td(int(row["recipients"])),
                    html.Td(row["message"]),
                ]
            )
            for _, row in frame.iterrows()
        ]
    )
    return html.Div(
        dbc.Table([head, body], size="sm", className="mb-0 small"),
        className="table-responsive",
    )


def _labelled(name: str, control, md: int = 6, hint: str | None = None) -> dbc.Col:
    shown = "filters" if name == "platform" else name
    return dbc.Col(
        [
            dbc.Label(FIELD_LABELS[name], html_for=field_id(name), className="small mb-1"),
            control,
            html.Div(hint, className="form-text") if hint else None,
            html.Div(id=error_id(shown), className="invalid-feedback d-block", role="alert")
            if shown in ERROR_FIELDS else None,
        ],
        md=md,
    )  # fmt: skip


def _select(name: str, options, value=None) -> dbc.Select:
    return dbc.Select(
        id=field_id(name),
        options=[{"label": label, "value": key} for key, label in options],
        value=value,
    )


def report_form(choices: dict, values: dict) -> dbc.Row:
    """The form's fields with ``values`` (the page's defaults, or a "Schedule this report"
    link's view and filters); the page fills them again to edit a subscription."""
    days = [(str(d), str(d)) for d in range(1, 29)] + [(str(LAST_DAY), "Last day")]

    def select(name, options):
        return _select(name, options, values.get(name))

    def ticks(name, options, **props):
        return dbc.Checklist(
            id=field_id(name),
            value=values.get(name) or [],
            options=[{"label": label, "value": key} for key, label in options],
            **props,
        )

    return dbc.Row(
        [
            _labelled("name", dbc.Input(id=field_id("name"), maxLength=120, value=values.get("name")), md=12),
            _labelled("view", select("view", VIEW_LABELS.items()), md=4),
            _labelled("campaign_id", select("campaign_id", [(str(i), n) for i, n in choices["campaigns"]]), md=8),
            _labelled("range", select("range", PRESETS.items()), md=4,
                      hint="“Last 7 days” ends on the day the report is sent."),
            _labelled("start", dbc.Input(id=field_id("start"), type="date", value=values.get("start")), md=4),
            _labelled("end", dbc.Input(id=field_id("end"), type="date", value=values.get("end")), md=4),
            _labelled("platform", ticks("platform", [(p, platform_label(p)) for p in PLATFORMS], inline=True),
                      md=8, hint="None ticked: all platforms."),
            _labelled("granularity", select("granularity", [("day", "Days"), ("week", "Weeks")]), md=4),
            _labelled("frequency", select("frequency", FREQUENCY_LABELS.items()), md=3),
            _labelled("weekday", select("weekday", [(str(i), d) for i, d in enumerate(WEEKDAYS)]), md=3),
            _labelled("month_day", select("month_day", days), md=3),
            _labelled("hour", select("hour", [(str(h), f"{h:02d}:00") for h in range(24)]), md=3),
            _labelled("include_csv", ticks("include_csv", [("on", "Attach the CSV too")]), md=12),
            _labelled("recipient_ids", ticks("recipient_ids", choices["people"]), md=12,
                      hint="Active people of your organization; each can unsubscribe from the e-mail."),
        ],
        className="g-3",
    )  # fmt: skip
