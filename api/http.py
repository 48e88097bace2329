"""HTTP plumbing of the API: one JSON error shape, CORS, no cookies, call audit, limit checks."""

from __future__ import annotations

import logging
import math
import time

from flask import Blueprint, Flask, current_app, g, jsonify, request
from flask.sessions import SecureCookieSession, SessionInterface
from limits import parse_many
from werkzeug.exceptions import HTTPException, NotFound

from auth.security import limiter
from config import ConfigError
from data import errors
from data.media.errors import Refused

log = logging.getLogger(__name__)

API_PATH = "/api/"
ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    409: "conflict",
    422: "unprocessable",
    429: "rate_limited",
    500: "internal_error",
}
EXPOSED_HEADERS = (
    "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After, "
    "X-Request-ID, Content-Disposition, Location, ETag, Idempotent-Replayed"
)


def error_response(status: int, message: str, code: str | None = None, **details):
    """``{"error": {"code", "message", "details"}}`` with ``status``."""
    response = jsonify(
        {
            "error": {
                "code": code or ERROR_CODES.get(status, "error"),
                "message": message,
                "details": details,
            }
        }
    )
    response.status_code = status
    return response


def retry_after_seconds() -> int:
    """Seconds until the broken limit lets the next request through (at least 1)."""
    if g.get(
        "kiki_retry_after"
    ):  # set by the per-address check (auth/address_limits.py)
        return g.kiki_retry_after
    try:
        current = limiter.current_limit
        reset_at = current.reset_at if current is not None else None
    except Exception:  # noqa: BLE001 - the limit storage failed: a minute is a fair guess
        reset_at = None
    return 60 if reset_at is None else max(1, math.ceil(reset_at - time.time()))


def _http_error(error: HTTPException):
    status = error.code or 500
    if status == 429:
        seconds = retry_after_seconds()
        message = f"Too many requests. Try again in {seconds} seconds."
        response = error_response(429, message, retry_after=seconds)
        response.headers["Retry-After"] = str(seconds)
        return response
    if status == 405:
        message = f"{request.method} is not allowed here."
    elif status == 404:
        custom = error.description != NotFound.description
        message = error.description if custom else "Not found."
    else:
        message = error.description or "Request refused."
    response = error_response(status, message)
    if status == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


# The one mapping of the data layer's error family to HTTP statuses.
DATA_ERROR_STATUS = (
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.Invalid, 400),
    (errors.Forbidden, 403),
)


def data_error_status(error: errors.DataError) -> int:
    """The HTTP status of a refusal from the data layer (400 for an unlisted kind); a refused
    upload carries its own (413 too large, 415 not an accepted type, 409/416 out of order)."""
    if isinstance(error, Refused):
        return error.status
    return next((s for kind, s in DATA_ERROR_STATUS if isinstance(error, kind)), 400)


def data_error_response(error: errors.DataError):
    """A DataError as the API's JSON error (under /api/) or as plain text (anywhere else)."""
    status = data_error_status(error)
    message = str(error) or "Your role does not allow this."
    param = getattr(error, "param", None)  # a rejected filter names its parameter
    field = getattr(
        error, "field", None
    )  # a rejected body field (data/campaign_rules.py)
    if not request.path.startswith(API_PATH):
        return message, status, {"Content-Type": "text/plain; charset=utf-8"}
    if param is not None:
        return error_response(status, message, "bad_parameter", param=param)
    if field is not None:
        return error_response(
            status, f"{field}: {message}", "invalid_field", field=field
        )
    return error_response(status, message)


def _server_error(_error: Exception):
    log.exception("API request failed: %s %s", request.method, request.path)
    return error_response(500, "Something went wrong on our side. It has been logged.")


def install_error_handlers(blueprint: Blueprint) -> None:
    """Blueprint handlers by status code (they outrank any class-based handler elsewhere)."""
    for status in ERROR_CODES:
        if status != 500:
            blueprint.register_error_handler(status, _http_error)
    blueprint.register_error_handler(HTTPException, _http_error)
    blueprint.register_error_handler(errors.DataError, data_error_response)
    blueprint.register_error_handler(Exception, _server_error)


def _json_for_api_paths(app: Flask, status: int) -> None:
    """Routing errors (no blueprint yet) under /api/ answer JSON; others keep their handler."""
    previous = dict(app.error_handler_spec[None][status])

    def handle(error: HTTPException):
        if request.path.startswith(API_PATH):
            return _http_error(error)
        for cls in type(error).__mro__:
            if cls in previous:
                return previous[cls](error)
        return error

    app.register_error_handler(status, handle)


def allowed_origin() -> str | None:
    origin = (request.headers.get("Origin") or "").rstrip("/")
    allowed = {
        o.rstrip("/").lower() for o in current_app.config.get("KIKI_CORS_ORIGINS", [])
    }
    return origin if origin and origin.lower() in allowed and origin != "*" else None


def add_cors_headers(response):
    """CORS only under /api/ and only for configured origins: no wildcard, no credentials."""
    if not request.path.startswith(API_PATH):
        return response
    response.vary.add("Origin")
    origin = allowed_origin()
    if origin is None:
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = (
            "GET, POST, PATCH, DELETE, OPTIONS"
        )
        response.headers["Access-Control-Allow-Headers"] = (
            "Authorization, Content-Type, Accept, Idempotency-Key, If-Match"
        )
        response.headers["Access-Control-Max-Age"] = "600"
    return response


class ApiWithoutCookies(SessionInterface):
    """Delegates to the app's session interface, except under /api/: no session read or written.

    The API authenticates with bearer tokens only, so a browser's session cookie never grants API
    access and an API response never sets a cookie.
    """

    def __init__(self, inner: SessionInterface) -> None:
        self.inner = inner

    def open_session(self, app, request):
        if request.path.startswith(API_PATH):
            return SecureCookieSession()
        return self.inner.open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if request.path.startswith(API_PATH):
            return None
        return self.inner.save_session(app, session, response)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def audit_call(response):
    """Queue an audit row for every call made with a valid token (written in the background):
    reads and writes alike; a write also names its Idempotency-Key and whether it was a replay
    (the change itself has its own audit row, written with it by the data layer)."""
    user = g.get("api_user")
    if user is not None:
        params = {k: ",".join(v)[:200] for k, v in list(request.args.lists())[:20]}
        writes = {}
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            writes = {
                "idempotency_key": (g.get("api_idempotency_key") or "")[:255] or None,
                "replayed": bool(g.get("api_replayed")),
            }
        current_app.extensions["kiki_api_audit"].record(
            user.scope.actor(request.remote_addr),
            "api_call",
            target_type="api",
            target_id=(request.endpoint or "").removeprefix("api."),
            details={
                "method": request.method,
                "path": request.path[:200],
                "params": params,
                "status": response.status_code,
                "format": g.get("api_format", "json"),
                "credential": g.get("api_credential"),
                **writes,
            },
        )
    return response


def check_limits(app: Flask) -> None:
    """Refuse to start on a malformed limit (Flask-Limiter would silently drop it)."""
    for name in ("KIKI_API_RATE_LIMIT", "KIKI_API_IP_RATE_LIMIT"):
        value = app.config.get(name)
        try:
            if value:
                parse_many(value)
        except ValueError:
            raise ConfigError(f"{name}: {value!r} is not a rate limit") from None


def install(app: Flask) -> None:
    """App-wide parts: JSON routing errors under /api/, DataError's status, cookie-less API
    (CORS: web/pipeline.py)."""
    for status in (404, 405):
        _json_for_api_paths(app, status)
    app.register_error_handler(errors.DataError, data_error_response)
    if not isinstance(app.session_interface, ApiWithoutCookies):
        app.session_interface = ApiWithoutCookies(app.session_interface)
