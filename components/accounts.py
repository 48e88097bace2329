"""Builders for account pages: the users table, the audit table, one-time passwords, messages."""

from __future__ import annotations

import datetime as dt
import json

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from components.format import NO_VALUE
from components.labels import role_label, status_label, words

ROLE_COLORS = {"viewer": "secondary", "analyst": "info", "admin": "primary"}
# White on Bootstrap's cyan "info" was 1.95:1; dark text on it is 10:1.
ROLE_TEXT_COLORS = {"analyst": "dark"}
USER_HEADERS = ("Name", "Email", "Role", "Status", "Last sign-in")
ROLE_DUTIES = {
    "viewer": "sees dashboards",
    "analyst": "also exports",
    "admin": "also manages users",
}
ROLE_OPTIONS = [
    {"label": f"{role_label(role)} — {duty}", "value": role}
    for role, duty in ROLE_DUTIES.items()
]
DETAILS_SHOWN = 160  # characters of an audit row's details shown in the table


def _shown(value) -> str:
    """Text of a cell; "—" for a missing value (None or pandas' NA)."""
    return NO_VALUE if value is None or pd.isna(value) or value == "" else str(value)


def timestamp(value) -> str:
    """A UTC timestamp as "2026-11-01 14:03 UTC"; "—" for none."""
    if value is None or pd.isna(value):
        return NO_VALUE
    value = pd.Timestamp(value)
    if value.tzinfo is not None:
        value = value.tz_convert(dt.UTC)
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _status_badges(row, now: pd.Timestamp) -> list:
    badges = [
        dbc.Badge(status_label("active"), color="success", className="me-1")
        if row["is_active"]
        else dbc.Badge(status_label("deactivated"), color="dark", className="me-1")
    ]
    locked = row["locked_until"]
    if locked is not None and not pd.isna(locked):
        locked = pd.Timestamp(locked)
        locked = locked.tz_localize(dt.UTC) if locked.tzinfo is None else locked
        if locked > now:
            badges.append(
                dbc.Badge(status_label("locked"), color="warning", text_color="dark")
            )
    return badges


def user_state(row) -> list:
    """The chosen user's role and state as badges: "Admin" "Deactivated"."""
    return [
        html.Span("Now: ", className="text-body-secondary"),
        dbc.Badge(
            role_label(row["role"]),
            color=ROLE_COLORS.get(row["role"], "secondary"),
            text_color=ROLE_TEXT_COLORS.get(row["role"]),
            className="me-1",
        ),
        *_status_badges(row, pd.Timestamp.now(tz=dt.UTC)),
    ]


def _role_badge(role: str) -> dbc.Badge:
    return dbc.Badge(
        role_label(role),
        color=ROLE_COLORS[role],
        text_color=ROLE_TEXT_COLORS.get(role),
    )


def invitation_rows(invitations: pd.DataFrame, revoke_type: str) -> list[html.Tr]:
    """One row per pending invitation (data.reads.users.pending_invitations' columns): name,
    email, role, "Invited" until when, and its Revoke button (``{"type": revoke_type,
    "index": invitation id}``). Nothing in a row depends on whether the address has an account."""
    rows = []
    for _, row in invitations.iterrows():
        revoke = dbc.Button(
            "Revoke",
            id={"type": revoke_type, "index": int(row["invitation_id"])},
            color="danger",
            outline=True,
            size="sm",
            className="py-0",
        )
        status = [
            dbc.Badge(status_label("invited"), color="light", text_color="dark"),
            html.Small(
                f" until {timestamp(row['expires_at'])} ", className="text-nowrap"
            ),
        ]
        rows.append(
            html.Tr(
                [
                    html.Td(row["name"]),
                    html.Td(row["email"], className="text-break"),
                    html.Td(_role_badge(row["role"])),
                    html.Td(status),
                    html.Td(revoke),
                ],
                className="settings-invitation",
            )
        )
    return rows


def users_table(
    frame: pd.DataFrame,
    current_user_id: int | None,
    invitations: pd.DataFrame | None = None,
    revoke_type: str = "",
) -> html.Div:
    """Name (with "you"), email, role badge, status badges, last sign-in; then the pending
    invitations (``invitation_rows``)."""
    if frame.empty:
        return html.P("No users yet.", className="text-body-secondary mb-0")
    now = pd.Timestamp.now(tz=dt.UTC)
    header = html.Thead(html.Tr([html.Th(label) for label in USER_HEADERS]))
    rows = []
    for _, row in frame.iterrows():
        you = int(row["user_id"]) == current_user_id
        name = [row["name"]] + (
            [dbc.Badge("you", color="light", text_color="dark", className="ms-1")]
            if you
            else []
        )
        rows.append(
            html.Tr(
                [
                    html.Td(name),
                    html.Td(row["email"], className="text-break"),
                    html.Td(_role_badge(row["role"])),
                    html.Td(_status_badges(row, now)),
                    html.Td(timestamp(row["last_login_at"]), className="text-nowrap"),
                ],
                className="" if row["is_active"] else "text-body-secondary",
            )
        )
    if invitations is not None:
        rows += invitation_rows(invitations, revoke_type)
    return dbc.Table(
        [header, html.Tbody(rows)],
        hover=True,
        size="sm",
        responsive=True,
        className="mb-0 align-middle",
        id="settings-users-table",
    )


def user_options(frame: pd.DataFrame) -> list[dict]:
    """Dropdown options: "Name — email (role, deactivated)" with the user id as value."""
    options = []
    for _, row in frame.iterrows():
        notes = [role_label(row["role"])] + (
            [] if row["is_active"] else [status_label("deactivated")]
        )
        label = f"{row['name']} — {row['email']} ({', '.join(notes)})"
        options.append({"label": label, "value": int(row["user_id"])})
    return options


def one_time_password(intro: str, password: str) -> dbc.Alert:
    """A success message carrying a password that is shown this once."""
    return dbc.Alert(
        [
            html.Div(intro),
            html.Div(
                [
                    "Password: ",
                    html.Code(
                        password, className="user-select-all fs-6 one-time-secret"
                    ),
                ],
                className="my-2",
            ),
            html.Small(
                "Copy it now and hand it over privately: it is not stored and will not be "
                "shown again. They can change it on their profile page.",
            ),
        ],
        color="success",
        className="py-2",
    )


# "noun.verb" actions (alert_rule.create, report.send_now) read like the older "noun_verbed"
# ones (budget_approved): the thing, then what happened to it.
PAST_TENSE = {
    "create": "created", "edit": "edited", "delete": "deleted", "pause": "paused",
    "resume": "resumed", "snooze": "snoozed", "unsnooze": "unsnoozed",
    "send_now": "sent now", "unsubscribe": "unsubscribed", "reassign": "reassigned",
    "upload": "uploaded", "archive": "archived", "restore": "restored", "link": "linked",
    "unlink": "unlinked", "rotate": "rotated", "revoke": "revoked", "test": "tested",
}  # fmt: skip


def action_label(action: str) -> str:
    """An audit action for people: "login_failed" -> "Login failed", "report.send_now" ->
    "Report sent now"."""
    noun, dot, verb = str(action or "").partition(".")
    if not dot:
        return words(action)
    return f"{words(noun)} {PAST_TENSE.get(verb, words(verb).lower())}"


def action_options(actions: list[str]) -> list[dict]:
    return [{"label": action_label(a), "value": a} for a in actions]


def details_text(details) -> str:
    """Audit details (JSON text) as "reason: wrong password · channel: web"."""
    if details is None or pd.isna(details) or details == "":
        return ""
    try:
        parsed = json.loads(details)
    except (TypeError, ValueError):
        return str(details)
    if not isinstance(parsed, dict):
        return str(parsed)
    return " · ".join(
        f"{key}: {value}" for key, value in parsed.items() if value is not None
    )


def success_alert(message: str) -> dbc.Alert:
    return dbc.Alert(message, color="success", className="py-2", dismissable=True)


def audit_table(frame: pd.DataFrame, names: dict | None = None) -> html.Div:
    """When, action, actor, target, IP and the (shortened) details of each audit row; a target
    found in ``names`` ((type, id) -> name) is shown by its name, "user 7" otherwise."""
    if frame.empty:
        return html.P(
            "No audit entries match these filters.", className="text-body-secondary"
        )
    header = html.Thead(
        html.Tr(
            [
                html.Th(label)
                for label in ("When", "Action", "Actor", "Target", "IP", "Details")
            ]
        )
    )
    rows = []
    for _, row in frame.iterrows():
        named = (names or {}).get((row["target_type"], row["target_id"]))
        target = (
            f"{action_label(row['target_type'])} {named}"
            if named
            else " ".join(
                _shown(row[name])
                for name in ("target_type", "target_id")
                if _shown(row[name]) != NO_VALUE
            )
            or NO_VALUE
        )
        details = details_text(row["details"])
        shown = (
            details if len(details) <= DETAILS_SHOWN else details[:DETAILS_SHOWN] + "…"
        )
        rows.append(
            html.Tr(
                [
                    html.Td(timestamp(row["created_at"]), className="text-nowrap"),
                    html.Td(action_label(row["action"]), title=row["action"]),
                    html.Td(_shown(row["actor_email"]), className="text-break"),
                    html.Td(target),
                    html.Td(_shown(row["ip_address"])),
                    html.Td(
                        html.Small(shown),
                        title=details if shown != details else None,
                        className="text-break audit-details",
                    ),
                ]
            )
        )
    return dbc.Table(
        [header, html.Tbody(rows)],
        hover=True,
        size="sm",
        responsive=True,
        className="mb-0 align-middle",
        id="audit-log-table",
    )
