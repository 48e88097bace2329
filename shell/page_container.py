"""Dash's page container, with the page the browser is on already in it when the layout is fetched.

Dash sends its page container empty in ``/_dash-layout``: on a first load the browser renders the
shell, asks the page router for the page (one more request and one more render), and only then
sends the page's own callbacks. The layout request carries the page's address in its Referer
(same origin, ``Referrer-Policy: strict-origin-when-cross-origin``), so when that address is a page
the signed-in user may open, the container holds the page already, with the location and title
the router would have set: the router does not fire, and the page's callbacks go out with the
layout. Anything else gets Dash's empty container and the router, as before: no Referer, another
origin, a page the user's role may not open (the guard refuses the router for it), a path no page
has (the router's not-found page), a layout that raises.

A browser may trim the Referer to its origin even on the same site (a privacy setting): the
container would then hold the overview while the address bar says another page. The shell's
location check (a clientside callback, shell/callbacks.py) compares the location it was given with the
browser's and, when they differ, has Dash's location read the browser's address again, which
runs the router for the right page.
"""

from __future__ import annotations

import copy
import logging
from urllib.parse import urlsplit

import dash
from flask import current_app, has_request_context, request

from auth.access import has_role
from components.shell import app_shell
from shell.dash_internals import (
    CONTENT_ID,
    LOCATION_ID,
    STORE_ID,
    page_and_variables,
    query_arguments,
)

LAYOUT_PATH = "/_dash-layout"

log = logging.getLogger(__name__)


def shell_layout():
    """The app's layout, built for each /_dash-layout request: the shell around the container."""
    return app_shell(page_container())


def page_container():
    """Dash's page container for the shell (a fresh copy each call), the page in it when it can."""
    container = copy.deepcopy(dash.page_container)
    page = _requested_page() if _is_layout_request() else None
    if page is None:
        return container
    parts = {child.id: child for child in container.children}
    location, content, store = parts[LOCATION_ID], parts[CONTENT_ID], parts[STORE_ID]
    location.pathname, location.search = page["pathname"], page["search"]
    location.hash, location.href = "", page["href"]
    content.children = page["layout"]
    store.data = {"title": page["title"]}
    return container


def _is_layout_request() -> bool:
    return has_request_context() and request.path == LAYOUT_PATH


def _requested_page() -> dict | None:
    """The page the Referer names, rendered as Dash's router renders it; None leaves it to the
    router."""
    referrer = request.referrer
    if not referrer:
        return None
    url = urlsplit(referrer)
    if url.scheme not in ("http", "https") or url.netloc != request.host:
        return None
    pathname = url.path or "/"
    rules = current_app.extensions["kiki_page_rules"]
    if not has_role(rules.page_role(pathname)):
        return None
    # Inputs the router would pass to the layout besides the address: none in this app.
    if dash.get_app().routing_callback_inputs:
        return None
    page, variables = page_and_variables(pathname)
    if not page:
        return None
    search = f"?{url.query}" if url.query else ""
    arguments = {**(variables or {}), **query_arguments(search)}
    try:
        layout = page["layout"]
        title = page["title"]
        return {
            "pathname": pathname,
            "search": search,
            "href": url._replace(fragment="").geturl(),
            "layout": layout(**arguments) if callable(layout) else layout,
            "title": title(**(variables or {})) if callable(title) else title,
        }
    except Exception:  # the router renders it then, and shows its error as before
        log.exception("page layout for %s failed; left to the page router", pathname)
        return None
