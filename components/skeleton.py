"""Placeholders the size of what a callback will put in their place: pages do not jump (CLS)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html


def skeleton_table(headers: list[str], rows: int) -> html.Div:
    """A table with ``headers`` and ``rows`` rows of grey bars: the height of the real table of
    that many rows, hidden from screen readers (the message area announces what arrives)."""
    bar = html.Span(className="skeleton-bar")
    return html.Div(
        dbc.Table(
            [
                html.Thead(html.Tr([html.Th(label) for label in headers])),
                html.Tbody(
                    [html.Tr([html.Td(bar) for _ in headers]) for _ in range(rows)]
                ),
            ],
            size="sm",
            className="mb-0 skeleton-table",
        ),
        **{"aria-hidden": "true"},
        className="skeleton",
    )


def skeleton_lines(lines: int) -> html.Div:
    """``lines`` lines of grey bars (a paragraph or a list of that many lines)."""
    return html.Div(
        [html.Div(html.Span(className="skeleton-bar"), className="skeleton-line")]
        * lines,
        **{"aria-hidden": "true"},
        className="skeleton",
    )
