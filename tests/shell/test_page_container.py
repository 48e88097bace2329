"""The first layout holds the page the browser is on (shell/page_container.py), and falls back
to Dash's empty container, which the page router fills, whenever it cannot tell or render it.

Who may see which page in it is walked for every page and identity in
tests/auth/test_access_matrix.py::test_every_page_in_the_first_layout."""

from __future__ import annotations

import dash
import pytest

from tests.auth.dash_calls import components, page_container

ORIGIN = "http://localhost"


def first_layout(client, referrer: str | None) -> dict:
    headers = {"Referer": referrer} if referrer else {}
    response = client.get("/_dash-layout", headers=headers)
    assert response.status_code == 200
    return page_container(response.json)


def find(node, component_id: str) -> dict | None:
    """The props of the component ``component_id`` anywhere under ``node``."""
    return next((p for p in components(node) if p.get("id") == component_id), None)


def assert_left_to_the_router(container: dict) -> None:
    assert container["_pages_content"].get("children") is None
    assert container["_pages_location"].get("pathname") is None
    assert container["_pages_store"].get("data") is None


def test_the_page_with_its_address_and_title(client_for):
    client = client_for("acme", "analyst")
    container = first_layout(client, f"{ORIGIN}/campaigns")
    location = container["_pages_location"]
    assert (location["pathname"], location["search"], location["hash"]) == (
        "/campaigns",
        "",
        "",
    )
    assert location["href"] == f"{ORIGIN}/campaigns"
    assert location["refresh"] == "callback-nav"  # Dash's own setting, kept
    assert find(container["_pages_content"]["children"], "campaigns-table")
    assert container["_pages_store"]["data"] == {"title": "Campaigns · KIKI Analytics"}


def test_the_query_string_reaches_the_layout_as_the_router_passes_it(client_for):
    client = client_for("acme", "viewer")
    container = first_layout(
        client, f"{ORIGIN}/?start=2026-10-01&end=2026-10-15&platform=meta#kpis"
    )
    location = container["_pages_location"]
    assert location["search"] == "?start=2026-10-01&end=2026-10-15&platform=meta"
    assert (
        location["href"] == f"{ORIGIN}/?start=2026-10-01&end=2026-10-15&platform=meta"
    )
    dates = find(container["_pages_content"]["children"], "overview-dates")
    assert (dates["start_date"], dates["end_date"]) == ("2026-10-01", "2026-10-15")
    platforms = find(container["_pages_content"]["children"], "overview-platforms")
    assert platforms["value"] == ["meta"]


@pytest.mark.parametrize(
    "referrer",
    [
        None,  # no Referer (a privacy setting, a proxy)
        "https://elsewhere.example/campaigns",  # another origin
        "http://localhost:9999/campaigns",  # another port is another origin
        f"{ORIGIN}/no-such-page",  # the router's not-found page
        "not a url",
        "javascript:alert(1)",
    ],
)
def test_anything_else_is_left_to_the_router(client_for, referrer):
    assert_left_to_the_router(first_layout(client_for("acme", "admin"), referrer))


def test_a_page_the_role_may_not_open_is_left_to_the_router(client_for):
    container = first_layout(client_for("acme", "viewer"), f"{ORIGIN}/settings")
    assert_left_to_the_router(container)


def test_a_layout_that_fails_is_left_to_the_router(client_for, monkeypatch):
    page = next(p for p in dash.page_registry.values() if p["path"] == "/campaigns")

    def broken(**_kwargs):
        raise RuntimeError("a page that cannot render")

    monkeypatch.setitem(page, "layout", broken)
    container = first_layout(client_for("acme", "admin"), f"{ORIGIN}/campaigns")
    assert_left_to_the_router(container)


def test_each_layout_gets_its_own_copy_of_the_container(client_for):
    client = client_for("acme", "admin")
    first_layout(client, f"{ORIGIN}/campaigns")
    assert_left_to_the_router(first_layout(client, None))
    assert dash.page_container.children[1].children is None  # Dash's own, untouched
