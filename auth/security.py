"""Request hardening: rate limits, CSRF (forms and Dash callbacks), session cookies, security headers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from urllib.parse import urlsplit

from flask import Flask, current_app, request, session
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect, generate_csrf
from itsdangerous.encoding import base64_decode

from auth.limits import limiter

__all__ = ["csrf", "init_app", "limiter"]

csrf = CSRFProtect()
CSRF_COOKIE = (
    "_csrf_token"  # Dash's renderer echoes this cookie as the X-CSRFToken header
)


CSP_DIRECTIVES = (
    "default-src 'self'",
    # Scripts from this site only; of the inline ones, only Dash's own (its bootstrap and the
    # clientside callbacks), allowed by their hashes: an injected <script> or handler never runs.
    "script-src 'self'{script_hashes}",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)


def content_security_policy(script_hashes: Sequence[str] = ()) -> str:
    """The policy, with the inline scripts of these hashes ('sha256-...') allowed."""
    allowed = "".join(f" {digest}" for digest in script_hashes)
    return "; ".join(CSP_DIRECTIVES).format(script_hashes=allowed)


CONTENT_SECURITY_POLICY = content_security_policy()  # pages with no inline script


class DashScriptPolicy:
    """The CSP of a Dash app's answers: its own inline scripts allowed, by their hashes.

    Dash writes its bootstrap and every clientside callback into the page as inline scripts, and
    registers one more (the page router's title) at the first request; the hashes are taken
    again for each HTML answer (a dozen SHA-256 of short strings), the policy rebuilt when they
    change. Other answers carry the policy as it stands.
    """

    def __init__(self, dash_app) -> None:
        self.dash_app = dash_app
        self._current: tuple[tuple[str, ...], str] = ((), CONTENT_SECURITY_POLICY)
        self.for_response(None)

    def for_response(self, response) -> str:
        if response is None or response.mimetype == "text/html":
            hashes = tuple(self.dash_app.csp_hashes())
            if hashes != self._current[0]:
                self._current = (hashes, content_security_policy(hashes))
        return self._current[1]


def allow_dash_inline_scripts(app: Flask, dash_app) -> None:
    """Every answer's policy allows the Dash app's inline scripts, and no others."""
    app.extensions["kiki_csp"] = DashScriptPolicy(dash_app)


def _content_security_policy(response) -> str:
    policy = current_app.extensions.get("kiki_csp")
    return policy.for_response(response) if policy else CONTENT_SECURITY_POLICY


# Public static files keep their own (long) caching; every other answer, a page's HTML, Dash's
# layout and dependencies, callbacks, exports, the API, is never stored: Back after signing
# out must not show the numbers.
CACHEABLE_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")


def set_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", _content_security_policy(response))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if not current_app.config.get("KIKI_DEMO"):
        headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    if not request.path.startswith(CACHEABLE_PREFIXES):
        headers.setdefault("Cache-Control", "no-store")
    if (
        current_user
        and current_user.is_authenticated
        and not request.path.startswith("/api/")
        and not _csrf_cookie_current()
    ):
        response.set_cookie(
            CSRF_COOKIE,
            generate_csrf(),
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=False,
        )
    return response


def _csrf_cookie_current() -> bool:
    """Whether the browser's CSRF cookie already carries this session's token.

    The cookie is the session's raw token signed by Flask-WTF (itsdangerous: payload.timestamp.
    signature), and tokens do not expire (WTF_CSRF_TIME_LIMIT=None): it only has to be sent when
    it is missing or belongs to another session (a new sign-in). Flask-WTF still verifies the
    header's signature on every state-changing request; this only spares signing and sending a
    new cookie on every response.
    """
    raw = session.get("csrf_token")
    cookie = request.cookies.get(CSRF_COOKIE)
    if not raw or not cookie or "." not in cookie:
        return False
    payload = cookie.split(".", 1)[0]
    try:
        return base64_decode(payload) == json.dumps(raw).encode()
    except (ValueError, TypeError):
        return False


def check_origin():
    """Refuse state-changing requests whose Origin (or Referer) is another site."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.path.startswith("/api/"):
        return None
    origin = request.headers.get("Origin")
    if origin is not None:
        # "null" (sandboxed frames, privacy redirects) is no origin we can trust either.
        same_site = urlsplit(origin).netloc == request.host
    else:
        referer = request.headers.get("Referer")
        same_site = not referer or urlsplit(referer).netloc in (request.host, "")
    return None if same_site else ("Cross-site request refused.", 403)


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
        # The guard touches an active session once a minute (auth/guard.py): not every response.
        SESSION_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_HEADERS=["X-CSRFToken", "X-CSRF-Token"],
        WTF_CSRF_TIME_LIMIT=None,
    )
    # Rate-limit settings may be overridden (tests, deployments); these are the defaults.
    for name, value in {
        "RATELIMIT_STORAGE_URI": app.config.get("REDIS_URL") or "memory://",
        "RATELIMIT_STORAGE_OPTIONS": {
            "socket_timeout": 0.5,
            "socket_connect_timeout": 0.5,
        },
        "RATELIMIT_KEY_PREFIX": "kiki",
        "RATELIMIT_HEADERS_ENABLED": True,
    }.items():
        app.config.setdefault(name, value)
    csrf.init_app(app)
    limiter.init_app(app)
