"""The campaign list table: server-side paged and sorted DataTable, and its rows formatted for people."""

from __future__ import annotations

import pandas as pd
from dash import dash_table

from components.format import metric
from components.labels import platforms_label, status_label
from components.markdown_text import markdown_link

COLUMNS = [  # (column id, header, kind)
    ("name", "Campaign", "text"),
    ("status", "Status", "text"),
    ("platforms", "Platforms", "text"),
    ("spend", "Spend", "num"),
    ("revenue", "Revenue", "num"),
    ("roas", "ROAS", "num"),
    ("conversions", "Conversions", "num"),
    ("cpa", "CPA", "num"),
    ("ctr", "CTR", "num"),
    ("budget_daily", "Daily budget", "num"),
]


def campaign_rows(frame: pd.DataFrame, link_query: str = "") -> list[dict]:
    """Display rows: the name as a link to the detail page (keeping ``link_query``, e.g. the range),
    numbers formatted, "—" for no value."""
    rows = []
    for record in frame.to_dict("records"):
        row = {"id": int(record["campaign_id"])}
        # The name is data (anyone who may edit a campaign writes it): text only, never markup.
        row["name"] = markdown_link(
            record["name"], f"/campaigns/{row['id']}", link_query
        )
        row["status"] = status_label(record["status"])
        row["platforms"] = platforms_label(record["platforms"]) or "—"
        for column, _header, kind in COLUMNS:
            if kind == "num":
                row[column] = metric(column, record[column])
        rows.append(row)
    return rows


def campaigns_table(table_id: str, page_size: int) -> dash_table.DataTable:
    """Empty skeleton; data, page count and sort arrive through a callback. Under 576 px wide
    the rows stack as cards (class ``campaigns-table-cards``; assets/kiki.css)."""
    return dash_table.DataTable(
        id=table_id,
        columns=[
            {"id": cid, "name": header, "presentation": "markdown"}
            if cid == "name"
            else {"id": cid, "name": header}
            for cid, header, _ in COLUMNS
        ],
        data=[],
        page_action="custom",
        page_current=0,
        page_size=page_size,
        sort_action="custom",
        sort_mode="single",
        sort_by=[],
        markdown_options={"link_target": "_self", "html": False},
        style_as_list_view=True,
        style_table={"overflowX": "auto"},
        style_cell={
            # The page's font, not DataTable's monospace ("inherit" inherited that), with
            # figures of equal width so the number columns line up.
            "fontFamily": "var(--bs-body-font-family)",
            "fontVariantNumeric": "tabular-nums",
            "padding": "8px",
            "backgroundColor": "transparent",
            "color": "inherit",
            "border": "none",
            "borderBottom": "1px solid var(--bs-border-color)",
        },
        style_header={
            "fontWeight": "600",
            "backgroundColor": "transparent",
            "color": "inherit",
            "borderBottom": "2px solid var(--bs-border-color)",
        },
        style_cell_conditional=[
            {
                "if": {"column_id": cid},
                "textAlign": "right",
                "fontVariantNumeric": "tabular-nums",
            }
            for cid, _, kind in COLUMNS
            if kind == "num"
        ]
        + [
            {"if": {"column_id": cid}, "textAlign": "left"}
            for cid, _, kind in COLUMNS
            if kind == "text"
        ]
        + [{"if": {"column_id": "name"}, "minWidth": "220px"}],
        css=[
            {"selector": ".dash-spreadsheet-menu", "rule": "display: none"},
            {"selector": "p", "rule": "margin: 0"},
            # On a phone each row is a card and each cell says what it is (assets/kiki.css,
            # "Campaigns on a phone"): the words come from COLUMNS, not from a second list.
            *[
                {
                    "selector": f'td[data-dash-column="{cid}"]::before',
                    "rule": f'content: "{header}"',
                }
                for cid, header, _ in COLUMNS
                if cid != "name"
            ],
        ],
    )
