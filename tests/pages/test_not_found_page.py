"""An unknown address shows the styled not-found page, titled, with a way back to the overview."""

from __future__ import annotations

import pytest

from tests.auth import dash_calls


def routed(app, client, path: str) -> dict:
    client.get("/")  # Dash registers its page router at the first request
    response = dash_calls.post(
        client,
        dash_calls.payload(
            app,
            dash_calls.ROUTER,
            {"_pages_location.pathname": path, "_pages_location.search": ""},
        ),
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.json["response"]


def props_of(layout, component_id: str) -> dict | None:
    return next(
        (p for p in dash_calls.components(layout) if p.get("id") == component_id),
        None,
    )


@pytest.mark.parametrize("path", ["/no-such-page", "/reports/2026", "/settingz"])
def test_an_unknown_path_renders_the_not_found_page(app, client_for, path):
    answer = routed(app, client_for("acme", "viewer"), path)
    layout = answer["_pages_content"]["children"]
    assert props_of(layout, "not-found-page"), layout
    text = str(layout)
    assert "Page not found" in text and "404 - Page not found" not in text
    home = props_of(layout, "not-found-home")
    assert home["href"] == "/" and home["children"] == "Back to the overview"
    assert answer["_pages_store"]["data"] == {
        "title": "Page not found · KIKI Analytics"
    }


def test_a_known_page_is_not_the_not_found_page(app, client_for):
    answer = routed(app, client_for("acme", "viewer"), "/campaigns")
    assert props_of(answer["_pages_content"]["children"], "not-found-page") is None


def test_the_unknown_page_is_served_in_the_apps_shell(client_for):
    """The HTML of an unknown address is the app's own page (the shell renders around the
    router's not-found content), not a bare server error."""
    response = client_for("acme", "viewer").get("/no-such-page")
    assert response.status_code == 200
    assert '<html lang="en"' in response.get_data(as_text=True)
