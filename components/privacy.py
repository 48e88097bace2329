"""Builders for the privacy page: the person picker, the export link, the erase form, the plan."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.controls import message_area

EXPORT_PATH = "/export/personal-data.zip"


def person_card(ID: dict) -> dbc.Card:
    """Choose a member; download everything held about them."""
    return dbc.Card(
        [
            dbc.CardHeader("Person"),
            dbc.CardBody(
                [
                    dbc.Label("Member", html_for=ID["user"], className="mb-1"),
                    dcc.Dropdown(id=ID["user"], options=[], clearable=True),
                    html.Div(
                        html.A(
                            "Download their data (ZIP: JSON, CSV, manifest)",
                            id=ID["export"],
                            href="",
                            className="btn btn-outline-primary btn-sm mt-3 disabled",
                        )
                    ),
                    dbc.FormText(
                        "The export and the erasure are recorded in the audit log."
                    ),
                ]
            ),
        ],
        className="mb-3",
    )


def erase_card(ID: dict) -> dbc.Card:
    """What an erasure would do, and the typed confirmation."""
    return dbc.Card(
        [
            dbc.CardHeader("Erase"),
            dbc.CardBody(
                [
                    html.Div(id=ID["plan"], className="mb-2"),
                    dbc.Label(
                        "Type their e-mail address to confirm",
                        html_for=ID["confirm"],
                        className="mb-1",
                    ),
                    dbc.Input(id=ID["confirm"], type="email", maxLength=254),
                    dbc.Button(
                        "Erase this person",
                        id=ID["erase"],
                        color="danger",
                        className="mt-2",
                    ),
                    message_area(ID["message"]),
                ]
            ),
        ]
    )


def plan_list(lines: list[str]) -> html.Div:
    """The dry run's steps, one per line."""
    return html.Div(
        [
            html.P("Erasing them would:", className="mb-1"),
            html.Ul([html.Li(line) for line in lines], className="mb-0 small"),
        ]
    )


def export_href(user_id: int | None) -> str:
    return f"{EXPORT_PATH}?user={int(user_id)}" if user_id is not None else ""
