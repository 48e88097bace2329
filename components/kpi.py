"""KPI cards: a value and its change against the previous period, coloured by whether it is good news."""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
from dash import html

from components.format import METRIC_FORMATS, NO_VALUE, metric


def _delta(name: str, current, previous) -> tuple[str, str]:
    """('+$1,234.00 (+12.3%)', css class) or an explanation when there is nothing to compare."""
    if (
        current is None
        or previous is None
        or any(isinstance(v, float) and math.isnan(v) for v in (current, previous))
    ):
        return "no comparison", "kpi-delta-neutral"
    change = current - previous
    formatter, up_is_good = METRIC_FORMATS.get(name, (str, None))
    shown = formatter(abs(change))
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    pct = f" ({sign}{abs(float(change) / float(previous)):.1%})" if previous else ""
    if change == 0 or up_is_good is None:
        css = "kpi-delta-neutral"
    else:
        css = "kpi-delta-good" if (change > 0) == up_is_good else "kpi-delta-bad"
    return f"{sign}{shown}{pct} vs previous period", css


def kpi_change(name: str, current, previous) -> str:
    """The change line of a KPI card as text ("+$1,234.00 (+12.3%) vs previous period"), for
    documents that show the card's numbers without the card (the PDF reports)."""
    return _delta(name, current, previous)[0]


ICONS = {"+": "▲", "−": "▼"}


def _with_icon(text: str) -> list:
    """An up or down triangle before a change, so its direction is not told by colour alone
    (WCAG 1.4.1); the sign in the text says it to screen readers, the icon is hidden from them."""
    icon = ICONS.get(text[:1]) if text else None
    return (
        [
            html.Span(icon, className="kpi-delta-icon me-1", **{"aria-hidden": "true"}),
            text,
        ]
        if icon
        else [text]
    )


def kpi_card(
    card_id: str, label: str, name: str, current, previous=None, note: str | None = None
) -> dbc.Col:
    """A card whose element id is ``card_id`` and whose value is ``current`` formatted for ``name``."""
    if note is not None:
        text, css = note, "kpi-delta-neutral"
    elif previous is None:  # nothing to compare with: no delta line at all
        text, css = "", "kpi-delta-neutral"
    else:
        text, css = _delta(name, current, previous)
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(label, className="kpi-label"),
                    html.Div(
                        metric(name, current) if current is not None else NO_VALUE,
                        className="kpi-value",
                        id=f"{card_id}-value",
                    ),
                    html.Div(_with_icon(text), className=f"kpi-delta {css}"),
                ]
            ),
            className="kpi-card h-100",
            id=card_id,
        ),
        xs=6,
        md=4,
        xl=3,  # the row's gutter spaces the cards both ways; the row's margin ends the block
    )
