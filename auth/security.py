"""Request hardening: rate limits, CSRF (forms and Dash callbacks), session cookies, security headers."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect, generate_csrf

csrf = CSRFProtect()
CSRF_COOKIE = (
    "_csrf_token"  # Dash's renderer echoes this cookie as the X-CSRFToken header
)


def _limit_key() -> str:
    """Per user when signed in (so one office behind NAT is not one bucket), else per IP."""
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{get_remote_address()}"


def _not_rate_limited() -> bool:
    return request.path.startswith(
        ("/assets/", "/_dash-component-suites/", "/healthz", "/readyz")
    )


limiter = Limiter(
    key_func=_limit_key,
    headers_enabled=True,
    in_memory_fallback_enabled=True,
    strategy="moving-window",
    default_limits_exempt_when=_not_rate_limited,
)


CSP_DIRECTIVES = (
    "default-src 'self'",
    # Dash's renderer bootstraps with an inline script; plotly.js compiles some code at runtime.
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(CSP_DIRECTIVES)


def _set_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if not current_app.config.get("KIKI_DEMO"):
        headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    if request.path.startswith(
        ("/_dash-update-component", "/api/", "/export/", "/login")
    ):
        headers.setdefault("Cache-Control", "no-store")
    if (
        current_user
        and current_user.is_authenticated
        and not request.path.startswith("/api/")
    ):
        response.set_cookie(
            CSRF_COOKIE,
            generate_csrf(),
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=False,
        )
    return response


def _check_origin():
    """Refuse state-changing requests whose Origin (or Referer) is another site."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.path.startswith("/api/"):
        return None
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if origin and urlsplit(origin).netloc not in (request.host, ""):
        return "Cross-site request refused.", 403
    return None


def init_app(app: Flask) -> None:
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="kiki_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=app.config["SESSION_COOKIE_SECURE"],
        PERMANENT_SESSION_LIFETIME=dt.timedelta(
            minutes=app.config["SESSION_IDLE_MINUTES"]
        ),
        SESSION_REFRESH_EACH_REQUEST=True,
        WTF_CSRF_HEADERS=["X-CSRFToken", "X-CSRF-Token"],
        WTF_CSRF_TIME_LIMIT=None,
        RATELIMIT_STORAGE_URI=app.config.get("REDIS_URL") or "memory://",
        RATELIMIT_STORAGE_OPTIONS={
            "socket_timeout": 0.5,
            "socket_connect_timeout": 0.5,
        },
        RATELIMIT_KEY_PREFIX=app.config.get("RATELIMIT_KEY_PREFIX", "kiki"),
        RATELIMIT_DEFAULT="3000 per hour;300 per minute",
        RATELIMIT_HEADERS_ENABLED=True,
    )
    app.before_request(_check_origin)
    csrf.init_app(app)
    limiter.init_app(app)
    app.after_request(_set_headers)
