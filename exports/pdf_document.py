"""A report as a document: its sections, tables formatted as on screen, rendered by WeasyPrint."""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pandas as pd
from flask import current_app, render_template

from components.format import METRIC_FORMATS, NO_VALUE, metric
from components.labels import VALUE_LABELS
from exports.pdf_charts import DEFAULT_BROWSER, START_SECONDS, figures_to_svg
from exports.pdf_layout import layout_in_child

# Rows a PDF table holds at most (about 45 pages of the campaign list); the CSV holds them all.
ROW_LIMIT = 2000
CHART_TIMEOUT_SECONDS = (
    10.0  # per chart, once the renderer is up (a warm one takes ~0.1 s)
)


@dataclass
class Table:
    """A table of a section: headers in words and every row already formatted."""

    headers: list[str]
    rows: list[list[str]]
    empty: str = "Nothing in this period."


@dataclass
class Section:
    title: str
    tables: list[Table] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)  # plotly figures (light theme)
    svgs: list[str] = field(default_factory=list)  # filled in by render_pdf
    note: str = ""
    terms: list[tuple[str, str]] = field(
        default_factory=list
    )  # (term, meaning) definitions


def cell(column: str, value) -> str:
    """A value as the screen shows it: metrics through components.format, machine values in
    words, "—" for no value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_VALUE
    if column in METRIC_FORMATS:
        return metric(column, value)
    if column in VALUE_LABELS:
        return VALUE_LABELS[column](value) or NO_VALUE
    if isinstance(value, dt.date | pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    text = str(value)
    return text if text else NO_VALUE


def frame_table(
    frame: pd.DataFrame, columns: list[tuple[str, str]], empty: str = ""
) -> Table:
    """``columns`` = (column, header) pairs of ``frame``, every row formatted."""
    rows = [
        [cell(name, record[name]) for name, _ in columns]
        for record in frame.to_dict("records")
    ]
    return Table(
        [header for _, header in columns], rows, empty or "Nothing in this period."
    )


def view_url(root: str, path: str, params: Mapping[str, str]) -> str:
    """The absolute address of ``path`` under ``root`` (the request's, or KIKI_PUBLIC_URL for
    a scheduled e-mail) with the PDF's query parameters."""
    query = urlencode(params)
    return root.rstrip("/") + path + (f"?{query}" if query else "")


def render_pdf(
    *,
    title: str,
    organization: str,
    filters: list[str],
    latest: dt.date | None,
    view_link: str,
    root: str,
    sections: list[Section],
    notice: str = "",
    notice_link: str = "",
) -> bytes:
    """The PDF of ``sections``; raises ChartError (charts), LayoutError (a long document's
    layout in its child) or any WeasyPrint error: the caller answers with an error, never with
    a partial document."""
    import weasyprint  # loaded on the first PDF, not at the app's start

    config = current_app.config
    figures = [figure for section in sections for figure in section.charts]
    svgs = iter(
        figures_to_svg(
            figures,
            timeout=float(config.get("KIKI_PDF_CHART_TIMEOUT", CHART_TIMEOUT_SECONDS)),
            browser=config.get("KIKI_PDF_BROWSER", DEFAULT_BROWSER),
            start_timeout=float(config.get("KIKI_PDF_START_TIMEOUT", START_SECONDS)),
        )
    )
    for section in sections:
        section.svgs = [
            "data:image/svg+xml;base64,"
            + base64.b64encode(next(svgs).encode()).decode()
            for _ in section.charts
        ]
    now = dt.datetime.now(dt.UTC)
    html = render_template(
        "report.html",
        title=title,
        organization=organization,
        filters=filters,
        generated=now.strftime("%Y-%m-%d %H:%M UTC"),
        latest=latest.isoformat() if latest else "no metrics yet",
        view_url=view_link,
        sections=sections,
        notice=notice,
        notice_link=notice_link,
    )
    rows = sum(len(table.rows) for section in sections for table in section.tables)
    if rows >= CHILD_LAYOUT_ROWS:
        timeout = float(config.get("KIKI_PDF_LAYOUT_TIMEOUT", LAYOUT_TIMEOUT_SECONDS))
        return layout_in_child(html, root, timeout)
    return weasyprint.HTML(string=html, base_url=root).write_pdf()


# From this many table rows on, WeasyPrint lays the document out in a child process
# (exports/pdf_layout.py): ~90 MB and ~3 s of CPU per 500 rows that the worker would keep
# (600 MB after a 2,000-row PDF) and hold its GIL for; below it, the child's start (~0.5 s)
# would cost more than it saves (the overview: 2 pages, 0.7 s).
CHILD_LAYOUT_ROWS = 300
LAYOUT_TIMEOUT_SECONDS = (
    180.0  # 2,000 rows: 15 s at idle, up to 130 s with the load at 13
)
