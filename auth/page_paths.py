"""Which page Dash's router renders for a pathname: the one resolution the guard also decides by.

The router (``dash.Dash._setup_routes``'s ``update``) strips the requests prefix and every
leading and trailing slash (``strip_relative_path``), then takes the first page of the registry
whose template (``fnmatch``) or path (compared without its slashes) matches (``_path_to_page``).
Dash's ``_path_to_page`` reads its global registry only, so this walks a given registry the same
way with Dash's own helpers; tests/auth/test_page_paths.py holds it equal to Dash's function.
"""

from __future__ import annotations

from dash._get_paths import app_strip_relative_path
from dash._pages import _parse_path_variables
from dash.exceptions import UnsupportedRelativePath


def routed_page(registry, pathname: str, pathname_prefix: str = "/") -> dict:
    """The registry entry the router renders for ``pathname``; {} for the not-found page or a
    pathname the router refuses (it then renders nothing)."""
    if not isinstance(pathname, str):
        return {}
    try:
        path_id = app_strip_relative_path(pathname_prefix, pathname)
    except UnsupportedRelativePath:
        return {}
    for page in registry.values():
        template = page.get("path_template")
        if template and _parse_path_variables(path_id, template.strip("/")):
            return page
        if path_id == page["path"].strip("/"):
            return page
    return {}
