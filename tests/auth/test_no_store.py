"""Nothing a signed-in user was shown is kept by the browser; public static files still are."""

from __future__ import annotations

import re

from tests.auth import dash_calls

ROUTER_VALUES = {"_pages_location.pathname": "/", "_pages_location.search": ""}


def test_signed_in_answers_are_never_stored(app, world, client_for):
    client = client_for("acme", "admin")
    answers = {
        "/_dash-layout": client.get(
            "/_dash-layout", headers={"Referer": "http://localhost/"}
        ),
        "/_dash-dependencies": client.get("/_dash-dependencies"),
        "router callback": dash_calls.post(
            client, dash_calls.payload(app, dash_calls.ROUTER, ROUTER_VALUES)
        ),
        "/healthz": client.get("/healthz"),
    }
    for path, _role in dash_calls.page_paths(world):
        answers[path] = client.get(path)
        answers[path + "/"] = client.get(path.rstrip("/") + "/")
    for what, response in answers.items():
        assert response.status_code < 400, what
        assert response.headers.get("Cache-Control") == "no-store", what


def test_refusals_and_redirects_are_not_stored_either(client_for):
    anonymous = client_for()
    for path in ("/", "/settings", "/_dash-layout"):
        assert anonymous.get(path).headers.get("Cache-Control") == "no-store", path
    viewer = client_for("acme", "viewer")
    assert viewer.get("/settings").headers.get("Cache-Control") == "no-store"


def test_public_static_files_keep_their_caching(client_for):
    html = client_for().get("/login").get_data(as_text=True)
    icon = re.search(r'href="(/assets/favicon\.svg\?m=\d+)"', html).group(1)
    response = client_for().get(icon)
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "max-age=31536000" in response.headers.get("Cache-Control", "")
