"""Bearer authentication: the password grant, JWT checks, personal tokens, revocation, tenancy, roles."""

from __future__ import annotations

import datetime as dt
import uuid

import jwt
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from api.bearer import KEY_INFO
from api.spec import ENDPOINTS
from data.db import get_database
from data.models import AuditLog, User
from data.writes.api_tokens import create_token, revoke_token
from tests.api.conftest import bearer, request_token
from tests.factories import PASSWORD, TEST_SECRET, login

LIST_PATHS = [f"/api/v1{e.path}" for e in ENDPOINTS if e.is_list]


def _fresh_ip() -> dict:
    """A client address of its own, so failed attempts here never share a rate-limit bucket."""
    return {"REMOTE_ADDR": f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"}


def _derived_key() -> bytes:
    """HKDF-SHA256 of SECRET_KEY with the API's purpose label, computed independently here."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(
        TEST_SECRET.encode()
    )


def _claims(user_id: int, org_id: int, **changes) -> dict:
    now = dt.datetime.now(dt.UTC)
    claims = {
        "iss": "kiki-analytics",
        "aud": "kiki-api",
        "sub": str(user_id),
        "org": org_id,
        "epoch": 0,
        "iat": now,
        "exp": now + dt.timedelta(minutes=5),
    }
    return {**claims, **changes}


def _user(app, email: str) -> User:
    with app.server.app_context(), get_database().session_scope() as session:
        return session.scalar(sa.select(User).where(User.email == email))


def _change_user(app, user_id: int, **values) -> None:
    with app.server.app_context(), get_database().session_scope() as session:
        user = session.get(User, user_id)
        for name, value in values.items():
            setattr(user, name, value)


def test_password_grant_issues_a_short_lived_token_signed_with_a_derived_key(app, api):
    response = request_token(api, "viewer@acme.test")
    assert response.status_code == 200
    body = response.json
    assert body["token_type"] == "bearer" and body["expires_in"] == 900
    assert response.headers["Cache-Control"] == "no-store"
    assert api.get_cookie("kiki_session") is None  # the API sets no cookie
    claims = jwt.decode(
        body["access_token"],
        _derived_key(),
        algorithms=["HS256"],
        audience="kiki-api",
        issuer="kiki-analytics",
    )
    user = _user(app, "viewer@acme.test")
    assert claims["sub"] == str(user.id) and claims["epoch"] == user.session_epoch
    assert 899 <= claims["exp"] - claims["iat"] <= 900
    with pytest.raises(jwt.InvalidSignatureError):  # not signed with the raw secret
        jwt.decode(
            body["access_token"],
            TEST_SECRET,
            algorithms=["HS256"],
            audience="kiki-api",
        )


@pytest.mark.parametrize(
    ("form", "status", "code", "param"),
    [
        ({"grant_type": "client_credentials"}, 400, "unsupported_grant_type", "grant_type"),
        ({"grant_type": "password", "username": "viewer@acme.test"}, 400, "invalid_request", "password"),
        ({"grant_type": "password", "password": PASSWORD}, 400, "invalid_request", "username"),
        ({"grant_type": "password", "username": "viewer@acme.test", "password": "wrong password 1"}, 401, "invalid_grant", None),
        ({"grant_type": "password", "username": "nobody@acme.test", "password": PASSWORD}, 401, "invalid_grant", None),
        ({"grant_type": "password", "username": "viewer\x00@acme.test", "password": PASSWORD}, 401, "invalid_grant", None),
    ],
)  # fmt: skip
def test_bad_grants_are_refused_with_the_json_error_shape(
    api, form, status, code, param
):
    response = api.post("/api/v1/auth/token", data=form, environ_base=_fresh_ip())
    assert response.status_code == status
    error = response.json["error"]
    assert error["code"] == code and error["message"]
    assert error["details"].get("param") == param
    assert "access_token" not in response.json


def test_a_control_character_in_the_email_is_a_wrong_login_not_an_error(app):
    """PostgreSQL refuses NUL in a query: the web form gets the usual refusal too."""
    client = app.server.test_client()
    response = login(client, "viewer\x00@acme.test")
    assert response.status_code in (400, 401)


def test_failed_grants_count_toward_the_web_logins_lockout(app, api, make_user):
    user_id, email = make_user()
    ip = _fresh_ip()
    for _ in range(5):
        response = api.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": email, "password": "nope"},
            environ_base=ip,
        )
        assert response.status_code == 401
    with app.server.app_context(), get_database().session_scope() as session:
        locked = session.get(User, user_id).locked_until
        channels = session.scalars(
            sa.select(AuditLog.details).where(
                AuditLog.actor_user_id == user_id, AuditLog.action == "login_failed"
            )
        ).all()
    assert locked is not None
    assert [c["channel"] for c in channels] == ["api"] * 5
    web = app.server.test_client()
    response = login(web, email)  # the right password, through the web form
    assert response.status_code != 302, "a locked account must not sign in"
    response = api.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": email, "password": PASSWORD},
        environ_base=ip,
    )
    assert response.status_code in (401, 429)
    assert "access_token" not in (response.json or {})


def test_the_token_endpoint_is_rate_limited_per_address(api):
    ip = _fresh_ip()
    statuses = []
    for attempt in range(11):
        response = api.post(
            "/api/v1/auth/token",
            data={
                "grant_type": "password",
                "username": f"guess{attempt}@acme.test",
                "password": "not the password",
            },
            environ_base=ip,
        )
        statuses.append(response.status_code)
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.json["error"]["code"] == "rate_limited"


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda key, c: jwt.encode({**c, "exp": c["iat"] - dt.timedelta(seconds=1), "iat": c["iat"] - dt.timedelta(minutes=16)}, key, "HS256"), id="expired"),
        pytest.param(lambda key, c: jwt.encode({**c, "aud": "another-api"}, key, "HS256"), id="wrong-audience"),
        pytest.param(lambda key, c: jwt.encode({**c, "iss": "someone-else"}, key, "HS256"), id="wrong-issuer"),
        pytest.param(lambda key, c: jwt.encode(c, TEST_SECRET, "HS256"), id="raw-secret"),
        pytest.param(lambda key, c: jwt.encode(c, key * 2, "HS512"), id="other-algorithm"),
        pytest.param(lambda key, c: jwt.encode(c, None, "none"), id="unsigned"),
        pytest.param(lambda key, c: jwt.encode({k: v for k, v in c.items() if k != "epoch"}, key, "HS256"), id="no-epoch"),
        pytest.param(lambda key, c: jwt.encode({**c, "epoch": c["epoch"] + 1}, key, "HS256"), id="stale-epoch"),
    ],
)  # fmt: skip
def test_forged_or_stale_access_tokens_are_refused(app, api, forge):
    user = _user(app, "admin@acme.test")
    claims = _claims(user.id, user.organization_id, epoch=user.session_epoch)
    token = forge(_derived_key(), claims)
    response = api.get("/api/v1/summary", headers=bearer(token))
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_correctly_forged_control_token_is_accepted(app, api):
    """The forging helper itself is right: the same claims, properly signed, get in."""
    user = _user(app, "admin@acme.test")
    claims = _claims(user.id, user.organization_id, epoch=user.session_epoch)
    token = jwt.encode(claims, _derived_key(), "HS256")
    assert api.get("/api/v1/summary", headers=bearer(token)).status_code == 200


def test_a_tampered_token_is_refused(api, token_for):
    token = token_for("acme", "viewer")
    header, payload, signature = token.split(".")
    other = jwt.api_jws.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b'"org":', b'"org": ')
    ).decode()
    for forged in (f"{header}.{other}.{signature}", token[:-2] + "AA", token + "x"):
        assert api.get("/api/v1/summary", headers=bearer(forged)).status_code == 401


def test_deactivating_a_user_stops_their_tokens_at_once(app, api, make_user):
    user_id, email = make_user("analyst")
    access = request_token(api, email).json["access_token"]
    with app.server.app_context(), get_database().session_scope() as session:
        _token, personal = create_token(session, user_id, "script")
    for token in (access, personal):
        assert api.get("/api/v1/ltv", headers=bearer(token)).status_code == 200
    _change_user(app, user_id, is_active=False)
    for token in (access, personal):
        assert api.get("/api/v1/ltv", headers=bearer(token)).status_code == 401


def test_a_role_change_revokes_access_tokens_through_the_session_epoch(
    app, api, make_user
):
    user_id, email = make_user("analyst")
    access = request_token(api, email).json["access_token"]
    assert api.get("/api/v1/ltv", headers=bearer(access)).status_code == 200
    _change_user(app, user_id, role="viewer", session_epoch=1)
    assert api.get("/api/v1/ltv", headers=bearer(access)).status_code == 401


def test_a_revoked_personal_token_is_refused_and_others_keep_working(
    app, api, make_user
):
    user_id, _email = make_user()
    with app.server.app_context(), get_database().session_scope() as session:
        first, first_text = create_token(session, user_id, "one")
        _second, second_text = create_token(session, user_id, "two")
    assert api.get("/api/v1/ltv", headers=bearer(first_text)).status_code == 200
    with app.server.app_context(), get_database().session_scope() as session:
        assert revoke_token(session, user_id, first.id)
    assert api.get("/api/v1/ltv", headers=bearer(first_text)).status_code == 401
    assert api.get("/api/v1/ltv", headers=bearer(second_text)).status_code == 200
    assert api.get("/api/v1/ltv", headers=bearer("kiki_" + "x" * 43)).status_code == 401


def test_personal_tokens_record_when_they_were_last_used(app, api, make_user):
    user_id, _email = make_user()
    with app.server.app_context(), get_database().session_scope() as session:
        token, plaintext = create_token(session, user_id, "cron")
    assert token.last_used_at is None
    api.get("/api/v1/ltv", headers=bearer(plaintext))
    with app.server.app_context(), get_database().session_scope() as session:
        from data.models import ApiToken

        assert session.get(ApiToken, token.id).last_used_at is not None


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer"}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer not-a-token"}],
)  # fmt: skip
def test_every_api_route_refuses_a_missing_or_malformed_token(app, api, headers):
    public = {"/api/v1/auth/token", "/api/v1/openapi.json", "/api/v1/docs"}
    rules = [
        rule
        for rule in app.server.url_map.iter_rules()
        if rule.rule.startswith("/api/") and rule.rule not in public
    ]
    assert len(rules) >= 10
    for rule in rules:
        path = rule.rule.replace("<int(min=1, max=2147483647):campaign_id>", "1")
        path = path.replace("<path:rest>", "anything")
        response = api.get(path, headers=headers)
        assert response.status_code == 401, path
        assert response.is_json and response.json["error"]["code"] == "unauthorized"


def test_a_signed_in_browser_session_is_not_an_api_credential(client_for):
    client = client_for("acme", "admin")
    response = client.get("/api/v1/summary")
    assert response.status_code == 401
    assert "Set-Cookie" not in response.headers


def test_an_organization_never_sees_another_organizations_rows(api, token_for, world):
    """acme's token: globex's campaign appears nowhere and its id is not found."""
    globex_campaign = world["campaigns"]["5"]
    headers = bearer(token_for("acme", "admin"))
    query = "start=2026-10-05&end=2026-11-01"
    for endpoint in ENDPOINTS:
        path = f"/api/v1{endpoint.path}".replace("{campaign_id}", str(globex_campaign))
        response = api.get(
            f"{path}?{query}" if "start" in endpoint.params else path, headers=headers
        )
        text = response.get_data(as_text=True)
        assert "Black Friday Electronics" not in text, path
        if endpoint.not_found:
            assert response.status_code == 404, path
        else:
            assert response.status_code == 200, path
    mine = api.get(
        f"/api/v1/campaigns/{globex_campaign}?{query}",
        headers=bearer(token_for("globex", "viewer")),
    )
    assert mine.json["data"]["name"] == "Black Friday Electronics"


@pytest.mark.parametrize("path", LIST_PATHS)
def test_a_viewer_cannot_export_csv_but_an_analyst_can(api, token_for, world, path):
    path = path.replace("{campaign_id}", str(world["campaigns"]["1"]))
    csv_headers = {"Accept": "text/csv"}
    viewer = api.get(
        path, headers={**bearer(token_for("acme", "viewer")), **csv_headers}
    )
    assert viewer.status_code == 403
    assert viewer.json["error"]["code"] == "forbidden"
    assert "analyst" in viewer.json["error"]["message"]
    assert api.get(path, headers=bearer(token_for("acme", "viewer"))).status_code == 200
    analyst = api.get(
        path, headers={**bearer(token_for("acme", "analyst")), **csv_headers}
    )
    assert analyst.status_code == 200 and analyst.mimetype == "text/csv"
    assert analyst.get_data(as_text=True).splitlines()[0]
