"""Per-address limits come first: refusals by CSRF, the origin check or the bearer guard count."""

from __future__ import annotations

import uuid

import pytest

from auth.address_limits import check_address_limits
from tests.auth.test_rate_limits import assert_too_many, make_app
from tests.auth.test_rate_limits import visitor as visitor_at
from tests.factories import login
from tests.services import redis_url


@pytest.fixture(scope="module", params=["memory", "redis"])
def limited_app(request, world_url):
    url, _world = world_url
    if request.param == "memory":
        return make_app(url, KIKI_API_AUTH_FAILURE_LIMIT="30 per minute")
    return make_app(
        url, REDIS_URL=redis_url(), KIKI_API_AUTH_FAILURE_LIMIT="30 per minute"
    )


def visitor(app):
    """A client from an address no other test uses (a shared one may have spent its budget)."""
    n = uuid.uuid4().int
    return visitor_at(
        app, f"10.{n % 250 + 1}.{n // 250 % 250 + 1}.{n // 62500 % 250 + 1}"
    )


def email() -> str:
    return f"nobody-{uuid.uuid4().hex[:8]}@example.test"


def test_the_address_check_runs_before_every_hook_that_can_refuse(limited_app):
    hooks = limited_app.server.before_request_funcs[None]
    ahead = hooks[: hooks.index(check_address_limits)]
    # Only the metrics timer and the request id (they refuse nothing) may run earlier.
    assert [hook.__name__ for hook in ahead] == ["start_timer", "assign_request_id"]


def test_sign_in_posts_failing_csrf_are_limited(limited_app):
    client = visitor(limited_app)
    for _ in range(10):
        refused = client.post("/login", data={"email": email(), "password": "x" * 12})
        assert refused.status_code == 400  # no CSRF token: "The form expired"
    assert_too_many(login(client, email()))


def test_cross_site_sign_in_posts_are_limited(limited_app):
    client = visitor(limited_app)
    for _ in range(10):
        refused = client.post(
            "/login",
            data={"email": email(), "password": "x" * 12},
            headers={"Origin": "https://evil.example"},
        )
        assert refused.status_code in (400, 403)
    assert_too_many(login(client, email()))
    assert login(visitor(limited_app), email()).status_code == 401  # others go on


def test_bad_api_tokens_are_limited_per_address(limited_app):
    client = visitor(limited_app)
    bad = {"Authorization": "Bearer kiki_pat_" + "x" * 40}
    statuses = [
        client.get("/api/v1/campaigns", headers=bad).status_code for _ in range(30)
    ]
    assert statuses == [401] * 30
    limited = client.get("/api/v1/campaigns", headers=bad)
    assert limited.status_code == 429
    assert limited.json["error"]["code"] == "rate_limited"
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    # No token at all is refused just the same, and counted the same.
    assert client.get("/api/v1/campaigns").status_code == 429
    # The schema and docs take no credentials: still open to that address.
    assert client.get("/api/v1/openapi.json").status_code == 200
    other = visitor(limited_app)
    assert other.get("/api/v1/campaigns", headers=bad).status_code == 401


def test_malformed_token_requests_are_limited(limited_app):
    client = visitor(limited_app)
    for _ in range(10):
        response = client.post(
            "/api/v1/auth/token", data={"grant_type": "nope", "username": email()}
        )
        assert response.status_code == 400
    response = client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": email(), "password": "x"},
    )
    assert response.status_code == 429
    assert response.json["error"]["code"] == "rate_limited"
