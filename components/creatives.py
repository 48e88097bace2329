"""The creatives page's pieces: the upload card, the link and ad-copy forms, the library table."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from components.format import integer, money, percent, ratio
from components.labels import platform_label

PREFIX = "creatives"
ACTION_TYPE = f"{PREFIX}-action"
ACCEPT = (
    "image/jpeg,image/png,image/webp,image/gif,video/mp4,video/quicktime,video/webm"
)
PLATFORM_NAMES = {"meta": "Meta", "google": "Google", "tiktok": "TikTok"}
SORTS = {
    "revenue": "Revenue",
    "spend": "Spend",
    "roas": "ROAS",
    "ctr": "CTR",
    "cvr": "CVR",
    "created_at": "Newest",
}
# The page shows the first 50 of the sort; the API pages through all. Dash 4's renderer slows
# down faster than the rows grow (each component of a callback's answer subscribes to its store):
# in Chromium, 20 rows took 1.6 s to appear, 50 rows 2.7 s, 200 rows 35 to 50 s (docs/CREATIVES.md).
MAX_ROWS = 50


def cid(name: str) -> str:
    return f"{PREFIX}-{name}"


def upload_card(can_edit: bool, campaign_id: int | None = None) -> dbc.Card:
    """The file picker the page's script (assets/creatives_upload.js) sends in chunks; with
    ``campaign_id`` (from a campaign's page) the uploads belong to that campaign."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Add creatives", className="h6"),
                html.P(
                    "Images (JPEG, PNG, WebP, GIF) or videos (MP4, MOV, WebM); large files "
                    "go in chunks and resume after a dropped connection.",
                    className="small text-body-secondary",
                ),
                html.Div(
                    id=cid("file-slot"),
                    className="creatives-file-slot",
                    **{"data-accept": ACCEPT, "data-campaign": campaign_id or ""},
                ),
                html.P(
                    f"Uploads here belong to campaign #{campaign_id}.",
                    className="small text-body-secondary mt-1 mb-0",
                )
                if campaign_id
                else None,
                html.Div(
                    html.Div(
                        id=cid("progress-bar"),
                        className="progress-bar",
                        role="progressbar",
                        style={"width": "0%"},
                    ),
                    id=cid("progress"),
                    className="progress mt-2 d-none",
                    **{"aria-label": "Upload progress"},
                ),
                html.Div(
                    id=cid("upload-status"), className="small mt-1", role="status"
                ),
                dcc.Store(id=cid("uploaded"), data=0),
            ]
        ),
        className="mb-3" if can_edit else "d-none",
    )


def copy_form(can_edit: bool) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Add ad copy", className="h6"),
                dbc.Input(
                    id=cid("copy-headline"),
                    placeholder="Headline",
                    maxLength=255,
                    className="mb-2",
                ),
                dbc.Textarea(
                    id=cid("copy-body"),
                    placeholder="Text",
                    maxLength=5000,
                    className="mb-2",
                ),
                dbc.Input(
                    id=cid("copy-cta"),
                    placeholder="Call to action (optional)",
                    maxLength=64,
                    className="mb-2",
                ),
                dbc.Button("Add ad copy", id=cid("copy-save"), size="sm"),
            ]
        ),
        className="mb-3" if can_edit else "d-none",
    )


def link_form(can_edit: bool) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Link a creative to a deployment or variant", className="h6"),
                html.Div(  # its place kept while the dropdown's script loads
                    dcc.Dropdown(id=cid("link-creative"), placeholder="Creative"),
                    className="async-control mb-2",
                ),
                html.Div(  # a short placeholder: one line on a phone too
                    dcc.Dropdown(
                        id=cid("link-deployment"), placeholder="Deployment or variant"
                    ),
                    className="async-control mb-2",
                ),
                dbc.Button("Link", id=cid("link-save"), size="sm"),
            ]
        ),
        className="mb-3" if can_edit else "d-none",
    )


def creative_options(frame: pd.DataFrame) -> list[dict]:
    active = frame[frame["status"] == "active"]
    return [
        {"label": f"#{row.asset_id} {row.filename}", "value": int(row.asset_id)}
        for row in active.itertuples(index=False)
    ]


def sorted_library(frame: pd.DataFrame, sort: str) -> pd.DataFrame:
    """Highest first (newest first for the date); creatives without a value last."""
    key = sort if sort in SORTS else "revenue"
    if key in ("revenue", "spend"):
        values = frame[key].map(float)
        return frame.assign(_key=values).sort_values(
            "_key", ascending=False, na_position="last", kind="stable"
        )
    return frame.sort_values(key, ascending=False, na_position="last", kind="stable")


def badges(problems: dict) -> html.Div:
    """One badge per platform: green when the creative meets its spec, else red with the
    reasons in its title (and read out by screen readers)."""
    items = []
    for platform, name in PLATFORM_NAMES.items():
        found = problems.get(platform, [])
        text = f"{name}: " + ("meets the spec" if not found else " ".join(found))
        items.append(
            html.Span(
                ("✓ " if not found else "✗ ") + name,
                className="badge me-1 "
                + ("text-bg-success" if not found else "text-bg-danger"),
                title=text,
                **{"aria-label": text},
            )
        )
    return html.Div(items, className="text-nowrap")


def _preview(row) -> html.Div:
    if row.kind == "copy":
        return html.Div(
            [
                html.Strong(row.headline or ""),
                html.Div(row.body or "", className="small"),
            ],
            className="creatives-copy",
        )
    if row.has_thumbnail:
        return html.Img(
            src=f"/media/{int(row.asset_id)}/thumbnail",
            alt=f"Preview of {row.filename}",
            className="creatives-thumb",
        )
    return html.Span(row.kind, className="text-body-secondary small")


def _facts(row) -> str:
    parts = [row.kind]
    if pd.notna(row.width) and pd.notna(row.height):
        parts.append(f"{int(row.width)}×{int(row.height)}")
    if pd.notna(row.duration_seconds):
        parts.append(f"{row.duration_seconds:.1f} s")
    return " · ".join(parts)


def _actions(row, can_edit: bool) -> html.Div | None:
    if not can_edit:
        return None
    archived = row.status == "archived"
    buttons = [
        dbc.Button(
            "Restore" if archived else "Archive",
            id={
                "type": ACTION_TYPE,
                "index": int(row.asset_id),
                "action": "restore" if archived else "archive",
            },
            size="sm",
            color="secondary",
            outline=True,
        )
    ]
    if int(row.deployments) == 0:
        buttons.append(
            dbc.Button(
                "Delete",
                id={
                    "type": ACTION_TYPE,
                    "index": int(row.asset_id),
                    "action": "delete",
                },
                size="sm",
                color="danger",
                outline=True,
            )
        )
    return html.Div(buttons, className="d-flex gap-1")


def _platform_names(platforms) -> str:
    """ "google, meta" as "Google, Meta"; "—" for none."""
    if not isinstance(platforms, str) or not platforms:
        return "—"
    return ", ".join(platform_label(name) for name in platforms.split(", "))


def library_table(frame: pd.DataFrame, sort: str, can_edit: bool) -> html.Div:
    """The library, sorted, at most MAX_ROWS rows; empty: a sentence saying how to start."""
    if frame.empty:
        return html.P(
            "No creatives yet. Upload images or videos, or add ad copy.",
            className="text-body-secondary",
        )
    ordered = sorted_library(frame, sort)
    shown = ordered.head(MAX_ROWS)
    header = html.Thead(
        html.Tr(
            [
                html.Th(name, scope="col")
                for name in (
                    "Preview", "Creative", "Campaign", "Platform specs", "Deployments",
                    "Spend", "Revenue", "ROAS", "CTR", "CVR",
                )
            ]
            + [html.Th(html.Span("Actions", className="visually-hidden"), scope="col")]
        )
    )  # fmt: skip
    rows = [
        html.Tr(
            [
                html.Td(_preview(row)),
                html.Td(
                    [
                        html.A(row.filename, href=f"/media/{int(row.asset_id)}")
                        if row.has_file
                        else html.Span(row.filename),
                        html.Div(_facts(row), className="small text-body-secondary"),
                        html.Div("archived", className="badge text-bg-secondary")
                        if row.status == "archived"
                        else None,
                        html.Div(f"Prompt: {row.prompt}", className="small fst-italic")
                        if isinstance(row.prompt, str)
                        else None,
                    ]
                ),
                html.Td(
                    row.campaign_name if isinstance(row.campaign_name, str) else "—"
                ),
                html.Td(badges(row.spec_problems)),
                html.Td(
                    f"{integer(row.deployments)} ({_platform_names(row.platforms)})"
                ),
                html.Td(money(row.spend), className="text-end"),
                html.Td(money(row.revenue), className="text-end"),
                html.Td(ratio(row.roas), className="text-end"),
                html.Td(percent(row.ctr), className="text-end"),
                html.Td(percent(row.cvr), className="text-end"),
                html.Td(_actions(row, can_edit)),
            ],
            id=cid(f"row-{int(row.asset_id)}"),
        )
        for row in shown.itertuples(index=False)
    ]
    note = (
        html.P(
            f"The first {MAX_ROWS} of {len(frame):,} creatives by this sort.",
            className="small text-body-secondary",
        )
        if len(frame) > MAX_ROWS
        else None
    )
    return html.Div(
        [
            dbc.Table(
                [header, html.Tbody(rows)],
                hover=True,
                responsive=True,
                size="sm",
                className="align-middle",
                id=cid("table-body"),
            ),
            note,
        ]
    )
