"""Table builders: small summary tables rendered as Bootstrap tables."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from components.format import METRIC_FORMATS, metric
from components.labels import VALUE_LABELS


def top_campaigns_table(frame: pd.DataFrame) -> html.Div:
    """Campaign name (linked to its detail page), revenue, spend, ROAS and conversions."""
    if frame.empty:
        return html.P(
            "No campaign had activity in this period.", className="text-body-secondary"
        )
    columns = [
        ("revenue", "Revenue"),
        ("spend", "Spend"),
        ("roas", "ROAS"),
        ("conversions", "Conversions"),
    ]
    header = html.Thead(
        html.Tr(
            [html.Th("Campaign")]
            + [html.Th(label, className="text-end") for _, label in columns]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(
                        dcc.Link(
                            row["name"], href=f"/campaigns/{int(row['campaign_id'])}"
                        )
                    )
                ]
                + [
                    html.Td(metric(name, row[name]), className="text-end num")
                    for name, _ in columns
                ]
            )
            for row in frame.to_dict("records")  # iterrows built a Series per row
        ]
    )
    return dbc.Table(
        [header, body],
        hover=True,
        size="sm",
        responsive=True,
        className="mb-0",
        id="overview-top-table",
    )


def _text(column: str, value) -> str:
    """A text cell: a machine value (platform, status) in words, "—" for none."""
    if value is None or pd.isna(value):
        return "—"
    label = VALUE_LABELS.get(column)
    return label(value) if label else str(value)


def metrics_table(
    frame: pd.DataFrame, columns: list[tuple[str, str]], table_id: str, empty: str
) -> html.Div:
    """A read-only table of ``columns`` ((column, header) pairs); metric columns formatted, text as is."""
    if frame.empty:
        return html.P(empty, className="text-body-secondary mb-0")
    numeric = {name for name, _ in columns if name in METRIC_FORMATS}
    header = html.Thead(
        html.Tr(
            [
                html.Th(label, className="text-end" if name in numeric else None)
                for name, label in columns
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(metric(name, row[name]), className="text-end num")
                    if name in numeric
                    else html.Td(_text(name, row[name]))
                    for name, _ in columns
                ]
            )
            for row in frame.to_dict("records")
        ]
    )
    return dbc.Table(
        [header, body],
        hover=True,
        size="sm",
        responsive=True,
        className="mb-0",
        id=table_id,
    )
