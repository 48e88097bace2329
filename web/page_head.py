"""What Dash's HTML page links in its head: the chart scripts a page will need, KIKI's tab icon."""

from __future__ import annotations

from pathlib import Path

import dash
from flask import Flask, request

from shell.dash_internals import page_for_path
from web.scripts import PLOTLY_PATH

# What a page with charts loads once its layout has rendered: dcc's graph chunk and plotly.js
# (see preload_chart_scripts).
CHART_SCRIPTS = ("/_dash-component-suites/dash/dcc/async-graph.js", PLOTLY_PATH)
BRAND_ICON = Path(__file__).resolve().parents[1] / "assets" / "favicon.svg"


def preload_chart_scripts(app: dash.Dash) -> None:
    """The page of a registered page with ``charts`` (its graph ids) asks for CHART_SCRIPTS at once.

    Dash's renderer asks for dcc's graph chunk only when the first graph mounts, and plotly.js
    only after that chunk has run: on a first visit both downloads began after the layout had
    come and been rendered, and the charts waited for them. Preloaded (``<link rel=preload>``)
    they download beside the page's other scripts, and the renderer's requests for the same
    URLs are answered from the browser's memory. Pages without charts are not sent them.
    """
    interpolate = app.interpolate_index

    def interpolate_index(**parts):
        page = page_for_path(request.path)
        if page and page.get("charts"):
            links = "".join(
                f'<link rel="preload" href="{url}" as="script">'
                for url in CHART_SCRIPTS
            )
            parts["css"] = links + parts.get("css", "")
        return interpolate(**parts)

    app.interpolate_index = interpolate_index


def brand_icon_url() -> str:
    """The brand mark's URL, versioned by the file's time: cached for a year
    (web/delivery.py cache_versioned_assets) and fetched again only when the file changes."""
    return f"/assets/{BRAND_ICON.name}?m={BRAND_ICON.stat().st_mtime_ns}"


def brand_icon_link() -> str:
    """The <link rel=icon> of the brand mark, for Dash's page and the Flask templates."""
    return f'<link rel="icon" type="image/svg+xml" href="{brand_icon_url()}">'


def use_brand_icon(app: dash.Dash) -> None:
    """Every Dash page's tab shows KIKI's mark (assets/favicon.svg), not Dash's default icon.

    Dash links its own /_favicon.ico (Plotly's logo, sent without a cache lifetime: a first
    visit fetched it twice) unless assets/ holds a favicon.ico. The mark is a small SVG, which
    every browser the app supports shows as a tab icon. The sign-in and API reference pages,
    which Flask renders, link the same file (``brand_icon_link`` in their templates).
    """
    interpolate = app.interpolate_index

    def interpolate_index(**parts):
        parts["favicon"] = brand_icon_link()
        return interpolate(**parts)

    app.interpolate_index = interpolate_index


def init_app(app: Flask) -> None:
    """The Flask templates link the brand icon too."""
    app.jinja_env.globals["brand_icon_link"] = brand_icon_link


def init_dash(app: dash.Dash) -> None:
    """Dash's page: chart scripts preloaded where there are charts, the brand icon everywhere."""
    preload_chart_scripts(app)
    use_brand_icon(app)
