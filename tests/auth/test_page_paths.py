"""The guard's page resolution is Dash's router's, for every page and many spellings."""

from __future__ import annotations

import dash
import pytest
from dash._pages import _path_to_page

from auth.access import PageRules
from auth.page_paths import routed_page

SPELLINGS = [
    "{p}",
    "/{b}",
    "//{b}",
    "/{b}/",
    "///{b}///",
    "/./{b}",
    "/{b}.",
    "/{B}",
    "/{b}/x",
    "/x/{b}",
    "{b}",
    "/{b}%2F",
]


@pytest.mark.usefixtures("app")
def test_routed_page_is_the_routers_page():
    for page in dash.page_registry.values():
        path = page["path"]
        bare = path.strip("/")
        for spelling in SPELLINGS:
            variant = spelling.format(p=path, b=bare, B=bare.upper())
            ours = routed_page(dash.page_registry, variant)
            if not variant.startswith("/"):
                assert ours == {}, variant  # the router refuses it and renders nothing
                continue
            theirs, _ = _path_to_page(dash.strip_relative_path(variant))
            assert ours.get("module") == theirs.get("module"), variant


def test_page_rules_resolve_doubled_and_trailing_slashes():
    registry = {
        "a": {"path": "/", "min_role": "viewer", "id_prefix": "home-"},
        "b": {"path": "/admin", "min_role": "admin", "id_prefix": "admin-"},
        "c": {
            "path": "/item/none",
            "path_template": "/item/<item_id>",
            "min_role": "analyst",
            "id_prefix": "item-",
        },
    }
    rules = PageRules(registry, {})
    for variant in ("/admin", "//admin", "/admin//", "///admin/", "/admin/"):
        assert rules.page_role(variant) == "admin", variant
    assert rules.page_role("//item/7") == "analyst"
    assert rules.page_role("/item/7/8") == "analyst"  # fnmatch's * crosses slashes
    assert rules.page_role("/Admin") == "viewer"  # the not-found page, as the router
    assert (
        rules.page_role("admin") == "viewer"
    )  # the router refuses it: nothing rendered
