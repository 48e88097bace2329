"""Not found: what Dash's router shows, in the app's shell, for a path no page has."""

from __future__ import annotations

import dash
from dash import dcc, html

PREFIX = "not-found"
TITLE = "Page not found · KIKI Analytics"

# Dash's router renders the page of the module named "not_found_404" for any unknown path
# (dash.py, router_sync), with this page's title; without it the router shows a bare
# "404 - Page not found" heading and the app's title.
dash.register_page(
    __name__,
    path="/404",
    name="Page not found",
    title=TITLE,
    nav=False,
    min_role="viewer",
    id_prefix=f"{PREFIX}-",
)


def layout(**_ignored):
    return html.Div(
        [
            html.P("404", className="display-5 fw-semibold text-body-secondary mb-1"),
            html.H1("Page not found", className="h3 mb-3"),
            html.P(
                "There is no page at this address. It may have moved, or the link may "
                "have a typing mistake in it.",
                className="mb-4",
            ),
            dcc.Link(
                "Back to the overview",
                href="/",
                className="btn btn-primary",
                id=f"{PREFIX}-home",
            ),
        ],
        id=f"{PREFIX}-page",
        className="py-4 not-found-page",
    )
