"""The one place that reaches into Dash's private API; checked against dash 4.4.1 (requirements.txt).

Each name below leans on something Dash does not promise to keep. On a Dash upgrade, read these
against the new version's dash/dash.py and dash/_pages.py, and run tests/pages and tests/routes.
"""

from __future__ import annotations

import dash
from dash._pages import _parse_query_string, _path_to_page

# The ids of the components in ``dash.page_container`` (dash.py's _ID_LOCATION, _ID_CONTENT,
# _ID_STORE): its location, the page's content, and the store the router writes the title into.
LOCATION_ID = "_pages_location"
CONTENT_ID = "_pages_content"
STORE_ID = "_pages_store"


def page_for_path(pathname: str) -> dict | None:
    """The registered page Dash's router would render for ``pathname`` (None when no page has it)."""
    page, _variables = page_and_variables(pathname)
    return page


def page_and_variables(pathname: str) -> tuple[dict | None, dict | None]:
    """(page, its path-template variables) as Dash's router finds them (dash._pages._path_to_page)."""
    return _path_to_page(dash.strip_relative_path(pathname))


def query_arguments(search: str) -> dict:
    """A query string (``?a=1``) as the keyword arguments Dash's router passes to a layout."""
    return _parse_query_string(search)


def claim_callbacks(app: dash.Dash) -> None:
    """Run Dash's first-request setup now (``Dash._setup_server``): it copies the callbacks the
    pages registered globally into this app's callback map, and builds the page's scripts.

    Done at build time, not at the first request, so several apps in one process (tests, CLI)
    each get their own complete callback map, and the guard's rules see every callback. Dash
    still calls it as a before_request hook; it returns at once after the first time.
    """
    with app.server.app_context():
        app._setup_server()
