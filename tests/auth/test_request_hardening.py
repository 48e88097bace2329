"""CSRF on forms and callbacks, the Origin check, security headers, and where "next" may lead."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from auth.views import safe_next
from tests.auth import dash_calls
from tests.auth.support import counts
from tests.factories import PASSWORD, app_config, csrf_token
from tests.pages.invitations import written


def test_a_callback_without_the_csrf_header_is_refused(app, client_for):
    admin = client_for("acme", "admin")
    body = dash_calls.payload(app, dash_calls.callback_key(app, "profile-details"))
    response = dash_calls.post(admin, body, csrf=False)
    assert (
        response.status_code == 400 and response.json["error"]["code"] == "csrf_failed"
    )
    wrong = dash_calls.post(admin, body, csrf=False, headers={"X-CSRFToken": "forged"})
    assert wrong.status_code == 400
    assert dash_calls.post(admin, body).status_code == 200


def test_a_write_callback_without_csrf_changes_nothing(app, client_for):
    admin = client_for("acme", "admin")
    body = dash_calls.triggered(
        app,
        "settings-invite-message",
        "settings-invite.n_clicks",
        {
            "settings-invite.n_clicks": 1,
            "settings-new-email.value": "csrf-victim@acme.test",
            "settings-new-name.value": "Victim",
            "settings-new-role.value": "admin",
        },
    )
    before, rows = counts(app), written(app)
    assert dash_calls.post(admin, body, csrf=False).status_code == 400
    assert counts(app) == before and written(app) == rows


def test_a_login_post_without_its_token_is_refused_with_the_form(app):
    client = app.server.test_client()
    before = counts(app)
    response = client.post(
        "/login", data={"email": "admin@acme.test", "password": PASSWORD}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The form expired. Please try again." in page and 'name="csrf_token"' in page
    assert (
        counts(app) == before
    )  # not even a failed-login row: the credentials were not read
    other = app.server.test_client()
    stolen = csrf_token(other)  # a token of another session does not fit this one
    response = client.post(
        "/login",
        data={"email": "admin@acme.test", "password": PASSWORD, "csrf_token": stolen},
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://localhost.evil.example"},
        {"Referer": "https://evil.example/page"},
    ],
    ids=lambda h: next(iter(h.values())),
)
def test_state_changing_requests_from_another_site_are_refused(
    app, client_for, headers
):
    admin = client_for("acme", "admin")
    body = dash_calls.payload(app, dash_calls.callback_key(app, "profile-details"))
    assert dash_calls.post(admin, body, headers=headers).status_code == 403
    client = app.server.test_client()
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"email": "admin@acme.test", "password": PASSWORD, "csrf_token": token},
        headers=headers,
    )
    assert response.status_code == 403
    # The same request from this site goes through.
    same = (
        {"Origin": "http://localhost"}
        if "Origin" in headers
        else {"Referer": "http://localhost/x"}
    )
    assert dash_calls.post(admin, body, headers=same).status_code == 200


def check_headers(response, hsts: bool) -> None:
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert ("Strict-Transport-Security" in headers) is hsts


INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.DOTALL)


def _sha256_source(script: str) -> str:
    return (
        "'sha256-"
        + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        + "'"
    )


def _executable_inline_scripts(page: str) -> list[str]:
    page = re.sub(
        r"<!--.*?-->", "", page, flags=re.DOTALL
    )  # Dash's IE conditional comment
    return [
        m["body"]
        for m in INLINE_SCRIPT.finditer(page)
        if "src=" not in m["attrs"] and "application/json" not in m["attrs"]
    ]


@pytest.mark.parametrize("path", ["/", "/campaigns", "/settings"])
def test_a_page_may_run_its_own_inline_scripts_and_no_others(client_for, path):
    response = client_for("acme", "admin").get(path)
    policy = response.headers["Content-Security-Policy"].split("; ")
    script_src = next(d for d in policy if d.startswith("script-src "))
    sources = script_src.split()[1:]
    assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
    scripts = _executable_inline_scripts(response.get_data(as_text=True))
    # Dash's bootstrap, the clientside callbacks, and the page router's title (registered by
    # Dash at the first request, after the app was built).
    assert len(scripts) >= 3
    assert any("document.title = data.title" in s for s in scripts)
    for script in scripts:
        assert _sha256_source(script) in sources, script[:200]
    assert _sha256_source("alert(document.cookie)") not in sources


@pytest.mark.parametrize(
    "path", ["/login", "/healthz", "/", "/settings", "/_dash-layout"]
)
def test_security_headers_on_every_kind_of_answer(app, client_for, path):
    check_headers(app.server.test_client().get(path), hsts=True)
    check_headers(client_for("acme", "admin").get(path), hsts=True)


def test_no_hsts_in_the_local_demo(world_url):
    from app import create_app

    demo = create_app(app_config(world_url[0], KIKI_DEMO=True))
    check_headers(demo.server.test_client().get("/login"), hsts=False)


def test_private_answers_are_not_cached(app, client_for):
    admin = client_for("acme", "admin")
    body = dash_calls.payload(app, dash_calls.callback_key(app, "profile-details"))
    assert dash_calls.post(admin, body).headers["Cache-Control"] == "no-store"
    assert app.server.test_client().get("/login").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/campaigns?status=active", "/campaigns?status=active"),
        ("/settings", "/settings"),
        (None, "/"),
        ("", "/"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("evil.example", "/"),
        ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),  # stays a path on this site
    ],
)
def test_next_only_leads_to_a_path_on_this_site(target, expected):
    assert safe_next(target) == expected


def test_sign_in_follows_a_safe_next_and_ignores_an_unsafe_one(app, members):
    member = members("acme", "viewer")
    for target, landing in (
        ("/campaigns", "/campaigns"),
        ("https://evil.example", "/"),
    ):
        client = app.server.test_client()
        token = csrf_token(client)
        response = client.post(
            f"/login?next={target}",
            data={"email": member.email, "password": PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 302 and response.headers["Location"] == landing


def test_head_requests_follow_the_page_rules(client_for):
    assert client_for("acme", "admin").head("/settings").status_code == 200
    assert client_for("acme", "viewer").head("/settings").status_code == 403
    assert client_for("acme", "viewer").head("/").status_code == 200
