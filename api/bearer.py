"""Bearer authentication of the API: short-lived JWTs from the password grant, and personal tokens."""

from __future__ import annotations

import datetime as dt
import functools

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Response, current_app, g, jsonify, request

from auth import account_lock
from auth.access import has_role
from auth.session_user import SessionUser
from auth.sign_in import LOCKED_MESSAGE, LOCKOUT
from data.db import db_session
from data.errors import Forbidden
from data.models import User
from data.reads.users import user_by_id
from data.writes.api_tokens import looks_like_personal_token, token_owner, touch_token
from data.writes.transaction import write_transaction

ISSUER = "kiki-analytics"
AUDIENCE = "kiki-api"
ALGORITHM = "HS256"
LIFETIME = dt.timedelta(minutes=15)
# HKDF "info": binds the derived key to this one purpose (signing API tokens, version 1).
KEY_INFO = b"kiki-analytics api-jwt-signing v1"
REALM = 'Bearer realm="kiki-api"'
WRITE_SCOPE = "read+write"
INGEST_SCOPE = "ingest"
INGEST_MESSAGE = (
    "Sending metrics needs a personal token with the ingest scope (create one at "
    "/profile/tokens): a pipeline's token that can read and send metrics, nothing else."
)
READ_ONLY_MESSAGE = (
    "This API token is read-only: writes need a personal token with read and write access "
    "(create one at /profile/tokens) or an access token from POST /api/v1/auth/token."
)


def signing_key(secret_key: str) -> bytes:
    """A 256-bit key for API tokens derived from SECRET_KEY, so a leaked token key is not the app secret."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(
        secret_key.encode("utf-8")
    )


def _key() -> bytes:
    cached = current_app.extensions.get("kiki_api_jwt_key")
    if cached is None:
        cached = signing_key(current_app.config["SECRET_KEY"])
        current_app.extensions["kiki_api_jwt_key"] = cached
    return cached


def issue_access_token(user: User) -> str:
    """A signed JWT for ``user``: subject, organization and session epoch, valid for LIFETIME."""
    # Imported here: PyJWT loads cryptography's X.509 modules, memory each worker spends only
    # for the API (figure: docs/BENCHMARKS.md, "Figures behind code choices").
    import jwt

    now = dt.datetime.now(dt.UTC)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(user.id),
        "org": user.organization_id,
        "epoch": user.session_epoch,
        "iat": now,
        "nbf": now,
        "exp": now + LIFETIME,
    }
    return jwt.encode(claims, _key(), algorithm=ALGORITHM)


def _jwt_user(token: str) -> tuple[User | None, str]:
    """The active user a JWT names, if it is valid and its session epoch is still current."""
    import jwt  # see issue_access_token

    try:
        claims = jwt.decode(
            token,
            _key(),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss", "aud", "epoch"]},
        )
        user_id = int(claims["sub"])
    except jwt.ExpiredSignatureError:
        return None, "The access token has expired: request a new one."
    except (jwt.InvalidTokenError, ValueError, TypeError):
        return None, "The access token is invalid."
    user = user_by_id(db_session(), user_id)
    if (
        user is None
        or not user.is_active
        or user.session_epoch != claims["epoch"]
        or user.organization_id != claims.get("org")
    ):
        return None, "The access token has been revoked."
    return user, ""


def _personal_token_user(token: str) -> tuple[User | None, int | None, str]:
    found = token_owner(db_session(), token)
    if found is None:
        return None, None, ""
    token_id, user, scope = found
    with write_transaction() as db:
        touch_token(db, token_id)  # nothing to commit when it was touched recently
    return user, token_id, scope


def ingests(view):
    """Mark (for authenticate_request, via ``kiki_api_ingests``) and enforce (in the view) that a
    view sends metrics: it needs a personal token with the ingest scope."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not g.get("api_can_ingest"):
            raise Forbidden(INGEST_MESSAGE)
        return view(*args, **kwargs)

    wrapped.kiki_api_ingests = True
    return wrapped


def writes(view):
    """Mark (for authenticate_request, via ``kiki_api_writes``) and enforce (in the view) that a
    view changes data: it needs a credential with the write scope."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not g.get("api_can_write"):
            raise Forbidden(READ_ONLY_MESSAGE)
        return view(*args, **kwargs)

    wrapped.kiki_api_writes = True
    return wrapped


def _refuse(
    status: int, code: str, message: str, needed: str = WRITE_SCOPE
) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "details": {}}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = f'{REALM}, error="invalid_token"'
    if code == "insufficient_scope":
        response.headers["WWW-Authenticate"] = (
            f'{REALM}, error="insufficient_scope", scope="{needed}"'
        )
    return response


def authenticate_request() -> Response | None:
    """The guard's hook for /api/: None lets the request through, else a 401/403 JSON response.

    Sets ``g.api_user``, ``g.scope``, ``g.api_rate_key`` (what the per-token rate limit counts)
    and ``g.api_can_write``: an access token from the password grant carries the signed-in
    user's full rights, a personal token only its scope ("read" or "read+write"). CORS
    preflights are answered here, before any token is asked for.
    """
    if request.method == "OPTIONS":
        return Response(status=204)
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        return _refuse(401, "unauthorized", "A bearer token is required.")
    if looks_like_personal_token(credential):
        user, token_id, scope = _personal_token_user(credential)
        message = "The API token is invalid or revoked."
        g.api_rate_key = f"api-token:pat:{token_id}"
        g.api_credential = f"personal token {token_id}"
        g.api_can_write = scope == WRITE_SCOPE
        g.api_can_ingest = scope == INGEST_SCOPE
    else:
        user, message = _jwt_user(credential)
        g.api_can_write = (
            True  # a password grant: the user's own rights, as in the pages
        )
        g.api_can_ingest = False  # a pipeline sends metrics with its own ingest token
        # Per user, so that fetching a fresh JWT does not reset the count.
        g.api_rate_key = f"api-token:jwt-user:{user.id if user else 0}"
        g.api_credential = "access token"
    if user is None:
        g.pop("api_rate_key", None)
        g.pop("api_can_write", None)
        g.pop("api_can_ingest", None)
        return _refuse(401, "unauthorized", message)
    g.api_user = SessionUser.from_row(user)
    g.scope = g.api_user.scope
    if request.routing_exception is not None:
        return None  # 404/405 for a caller we know: the API's error handlers answer it
    view = current_app.view_functions.get(request.endpoint or "")
    role = getattr(view, "kiki_min_role", None)
    if role is None or not has_role(role):
        return _refuse(403, "forbidden", "Your role does not allow this.")
    if getattr(view, "kiki_api_writes", False) and not g.api_can_write:
        return _refuse(403, "insufficient_scope", READ_ONLY_MESSAGE)
    if getattr(view, "kiki_api_ingests", False) and not g.api_can_ingest:
        return _refuse(403, "insufficient_scope", INGEST_MESSAGE, INGEST_SCOPE)
    return None


def rate_key_per_token() -> str:
    return g.get("api_rate_key") or f"api-ip:{request.remote_addr}"


def rate_key_per_ip() -> str:
    return f"api-ip:{request.remote_addr}"


def _grant_error(status: int, code: str, message: str, param: str | None = None):
    details = {"param": param} if param else {}
    response = jsonify(
        {"error": {"code": code, "message": message, "details": details}}
    )
    response.status_code = status
    return response


def issue_token():
    """OAuth2 password grant: form fields grant_type=password, username (email), password."""
    form = request.form
    if form.get("grant_type") != "password":
        return _grant_error(
            400,
            "unsupported_grant_type",
            "grant_type: only the password grant is supported.",
            "grant_type",
        )
    for field in ("username", "password"):
        value = form.get(field) or ""
        if not value or len(value) > 256:
            return _grant_error(
                400,
                "invalid_request",
                f"{field}: required (at most 256 characters).",
                field,
            )
    user, message = account_lock.sign_in(
        db_session(), form["username"], form["password"], request.remote_addr, "api"
    )
    if user is None and message == LOCKED_MESSAGE:
        # The web form's answer to a locked address, real or made up: 429, the same wait.
        seconds = int(LOCKOUT.total_seconds())
        response = _grant_error(429, "rate_limited", f"{message}")
        response.headers["Retry-After"] = str(seconds)
        return response
    if user is None:
        return _grant_error(401, "invalid_grant", message)
    response = jsonify(
        {
            "access_token": issue_access_token(user),
            "token_type": "bearer",
            "expires_in": int(LIFETIME.total_seconds()),
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response
