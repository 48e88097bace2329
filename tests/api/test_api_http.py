"""The API's HTTP behaviour: one JSON error shape, CORS allow-list, rate limits, audit, OpenAPI."""

from __future__ import annotations

import re
import time
import uuid

import pytest
import sqlalchemy as sa

from api.creatives_spec import OPERATIONS as CREATIVE_OPERATIONS
from api.spec import ENDPOINTS
from data.db import get_database
from data.models import AuditLog
from tests.api.conftest import ALLOWED_ORIGIN, bearer, request_token
from tests.factories import app_config
from tests.services import redis_url


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == code and error["message"]
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "<html" not in text.lower()
    return error


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("start=2026-02-30", "start"),
        ("start=2026-11-02&end=2026-11-01", "end"),
        ("start=2020-01-01&end=2026-11-01", "start"),
        ("start=0001-01-01&end=0001-01-05", "start"),
        ("platform=myspace", "platform"),
        ("page=0", "page"),
        ("page_size=501", "page_size"),
        ("page_size=ten", "page_size"),
        ("sort=password_hash", "sort"),
        ("order=sideways", "order"),
        ("status=deleted", "status"),
        ("min_spend=-1", "min_spend"),
        ("roas_min=NaN", "roas_min"),
        ("roas_min=3&roas_max=1", "roas_max"),
        ("search=" + "x" * 101, "search"),
        ("search=a%00b", "search"),
        ("strat=2026-01-01", "strat"),
    ],
)
def test_a_bad_parameter_is_named_in_a_400(api, token_for, query, param):
    response = api.get(
        f"/api/v1/campaigns?{query}", headers=bearer(token_for("acme", "viewer"))
    )
    error = assert_error(response, 400, "bad_parameter")
    assert error["details"] == {"param": param}


def test_unknown_paths_and_methods_answer_json(api, token_for):
    headers = bearer(token_for("acme", "viewer"))
    assert_error(api.get("/api/v1/nothing-here", headers=headers), 404, "not_found")
    assert_error(api.get("/api/v2/summary", headers=headers), 404, "not_found")
    assert_error(api.get("/api/v1/campaigns/999999", headers=headers), 404, "not_found")
    assert_error(
        api.get("/api/v1/campaigns/99999999999999", headers=headers), 404, "not_found"
    )
    response = api.delete("/api/v1/summary", headers=headers)
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_a_server_error_is_json_without_a_traceback(api, token_for, monkeypatch):
    import api.routes as api_module

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(api_module, "kpi_summary", broken)
    response = api.get("/api/v1/summary", headers=bearer(token_for("acme", "viewer")))
    assert_error(response, 500, "internal_error")
    assert "hunter2" not in response.get_data(as_text=True)


def test_an_allowed_origin_gets_cors_headers_without_credentials(api, token_for):
    headers = {**bearer(token_for("acme", "viewer")), "Origin": ALLOWED_ORIGIN}
    response = api.get("/api/v1/summary", headers=headers)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Origin" in response.headers["Vary"]
    assert "X-RateLimit-Remaining" in response.headers["Access-Control-Expose-Headers"]


def test_a_preflight_is_answered_without_a_token(api):
    response = api.open(
        "/api/v1/campaigns",
        method="OPTIONS",
        headers={
            "Origin": ALLOWED_ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization",
        },
    )
    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example.com",
        ALLOWED_ORIGIN + ".evil.example",
        "http://bi.example.com",
        "null",
    ],
)
def test_any_other_origin_gets_no_cors_headers(api, token_for, origin):
    headers = {**bearer(token_for("acme", "viewer")), "Origin": origin}
    response = api.get("/api/v1/summary", headers=headers)
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = api.open(
        "/api/v1/summary",
        method="OPTIONS",
        headers={"Origin": origin, "Access-Control-Request-Method": "GET"},
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_cors_is_only_for_the_api(client_for):
    response = client_for("acme", "viewer").get("/", headers={"Origin": ALLOWED_ORIGIN})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_responses_carry_rate_limit_headers(api, token_for):
    response = api.get("/api/v1/ltv", headers=bearer(token_for("acme", "viewer")))
    for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert int(response.headers[name]) >= 0


@pytest.fixture(scope="module")
def limited_app(world_url):
    """The same world with tight API limits kept in Redis, as in production."""
    from app import create_app

    url, _world = world_url
    return create_app(
        app_config(
            url,
            REDIS_URL=redis_url(),
            KIKI_API_RATE_LIMIT="3 per minute",
            KIKI_API_IP_RATE_LIMIT="5 per minute",
        )
    )


def test_a_token_over_its_limit_gets_429_with_retry_after(limited_app):
    client = limited_app.server.test_client()
    ip = {"REMOTE_ADDR": f"10.9.{uuid.uuid4().int % 250}.1"}
    first = request_token(client, "viewer@acme.test").json["access_token"]
    second = request_token(client, "viewer@globex.test").json["access_token"]
    statuses = [
        client.get("/api/v1/ltv", headers=bearer(first), environ_base=ip).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 200]
    response = client.get("/api/v1/ltv", headers=bearer(first), environ_base=ip)
    error = assert_error(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0
    # (Flask-Limiter rewrites the header rounding down; the body rounds up.)
    assert (
        abs(error["details"]["retry_after"] - int(response.headers["Retry-After"])) <= 1
    )
    assert response.headers["X-RateLimit-Limit"] == "3"
    # Per token: another token from the same address still gets through...
    assert (
        client.get("/api/v1/ltv", headers=bearer(second), environ_base=ip).status_code
        == 200
    )
    # ...until the address's own limit (5 per minute) is used up.
    client.get("/api/v1/ltv", headers=bearer(second), environ_base=ip)
    response = client.get("/api/v1/ltv", headers=bearer(second), environ_base=ip)
    assert_error(response, 429, "rate_limited")


def test_every_call_is_audited_in_the_background(app, api, token_for):
    marker = uuid.uuid4().hex[:12]
    headers = bearer(token_for("acme", "analyst"))
    started = time.monotonic()
    response = api.get(f"/api/v1/campaigns?search={marker}", headers=headers)
    assert response.status_code == 200
    assert time.monotonic() - started < 2
    deadline = time.monotonic() + 5
    rows = []
    while not rows and time.monotonic() < deadline:
        time.sleep(0.1)
        with app.server.app_context(), get_database().session_scope() as session:
            rows = [
                row
                for row in session.scalars(
                    sa.select(AuditLog)
                    .where(AuditLog.action == "api_call")
                    .order_by(AuditLog.id.desc())
                    .limit(50)
                )
                if row.details.get("params", {}).get("search") == marker
            ]
    assert len(rows) == 1, "the audit row did not arrive within 5 seconds"
    row = rows[0]
    assert row.target_id == "campaigns"
    assert row.details["status"] == 200 and row.details["method"] == "GET"
    assert row.organization_id is not None and row.actor_user_id is not None


def test_the_openapi_document_describes_exactly_the_served_routes(app, api):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"] == "3.1.0"
    documented = {
        (method.upper(), "/api/v1" + re.sub(r"\{\w+\}", "<id>", path))
        for path, methods in document["paths"].items()
        for method in methods
    }
    served = set()
    for rule in app.server.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint in (
            "api.unknown",
            "api.unknown_path",
            "api.openapi_json",
            "api.docs_page",
        ):
            continue
        path = re.sub(r"<[^>]+>", "<id>", rule.rule)
        served |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == served
    assert (
        len(ENDPOINTS) == 10
    )  # the eight of PRODUCT.md, and /ltv/campaigns, /ltv/cohorts (issue 31)
    # The creatives library (issue 32): GET and POST /creatives, GET /creatives/{creative_id}.
    assert [(o[1], o[2]) for o in CREATIVE_OPERATIONS] == [
        ("get", "/creatives"),
        ("post", "/creatives"),
        ("get", "/creatives/{creative_id}"),
    ]


def test_the_docs_page_lists_every_endpoint_and_runs_no_script(api):
    response = api.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    for endpoint in ENDPOINTS:
        assert f"GET /api/v1{endpoint.path}" in html
        for param in endpoint.params:
            assert f"<code>{param}</code>" in html
    assert "<script" not in html.lower()
    assert "http://" not in html and "https://" not in html  # nothing from a CDN


def test_a_malformed_rate_limit_setting_stops_the_app_from_starting(world_url):
    from app import create_app
    from config import ConfigError

    with pytest.raises(ConfigError, match="KIKI_API_RATE_LIMIT"):
        create_app(app_config(world_url[0], KIKI_API_RATE_LIMIT="lots"))
