"""Rate limits: one Flask-Limiter whose storage lives with each app, and friendly 429 answers."""

from __future__ import annotations

import math
import time

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user

# Failed sign-ins only (a success does not count): per client address and per account.
LOGIN_LIMIT_PER_IP = "10 per minute;50 per hour"
# Every request, per signed-in user (else per IP): Dash fires a burst of callbacks per click and
# per keystroke in a search box, so this only stops scripts. One rule, because each rule is a
# Redis round trip on every request (two rules cost a no-op callback measurably: figure in
# docs/BENCHMARKS.md, "Figures behind code choices"); the API
# has its own per-token limits. Apps may set RATELIMIT_USER_DEFAULT.
DEFAULT_LIMITS = "1200 per minute"
EXPORT_LIMIT = "30 per minute"

# Limiter attributes that belong to one app (its storage, its outage state, its key prefix),
# so that several apps in one process (tests, CLI) never share or overwrite them.
_PER_APP_ATTRIBUTES = (
    "_storage",
    "_limiter",
    "_storage_dead",
    "_fallback_storage",
    "_fallback_limiter",
    "_key_prefix",
)


def _per_app_attribute(name: str) -> property:
    def get(self):
        state = self._app_state()
        if state is not None and name in state:
            return state[name]
        return self.__dict__.get(f"_unbound{name}")

    def set(self, value) -> None:
        state = self._app_state()
        if state is None:
            self.__dict__[f"_unbound{name}"] = value
        else:
            state[name] = value

    return property(get, set)


class AppBoundLimiter(Limiter):
    """Flask-Limiter whose storage and fallback state are kept per app, not per extension object."""

    def _app_state(self) -> dict | None:
        if not has_app_context():
            return None
        return current_app.extensions.setdefault("kiki_limiter_state", {})

    def init_app(self, app: Flask) -> None:
        with app.app_context():
            super().init_app(app)

    @property
    def _headers_enabled(self) -> bool | None:
        """X-RateLimit-* on API responses and on refusals only.

        Computing them costs a second Redis round trip per request; Dash's renderer never reads
        them, API clients and a 429 do.
        """
        enabled = self.__dict__.get("_configured_headers_enabled")
        if not enabled or not has_request_context():
            return enabled
        if request.path.startswith("/api/"):
            return True
        current = self.context.view_rate_limit
        return bool(current is not None and current.breached)

    @_headers_enabled.setter
    def _headers_enabled(self, value: bool | None) -> None:
        self.__dict__["_configured_headers_enabled"] = value


for _name in _PER_APP_ATTRIBUTES:
    setattr(AppBoundLimiter, _name, _per_app_attribute(_name))


def limit_key() -> str:
    """Per user when signed in (so one office behind NAT is not one bucket), else per IP."""
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{get_remote_address()}"


def login_ip_key() -> str:
    return f"login-ip:{get_remote_address()}"


def _default_limits() -> str:
    return current_app.config.get("RATELIMIT_USER_DEFAULT") or DEFAULT_LIMITS


def _not_rate_limited() -> bool:
    """Static files, probes and the sign-in page (whose POST has its own, tighter limits)."""
    return request.path == "/login" or request.path.startswith(
        ("/assets/", "/_dash-component-suites/", "/healthz", "/readyz")
    )


limiter = AppBoundLimiter(
    key_func=limit_key,
    default_limits=[_default_limits],
    headers_enabled=True,
    in_memory_fallback_enabled=True,
    # Exact counts: a sliding-window counter weighs the previous window and can let an 11th
    # sign-in attempt through where the limit is 10 per minute.
    strategy="moving-window",
    default_limits_exempt_when=_not_rate_limited,
)


def retry_after_seconds() -> int:
    """Seconds until the limit this request broke lets the next one through (at least 1)."""
    if g.get(
        "kiki_retry_after"
    ):  # set by the per-address check (auth/address_limits.py)
        return g.kiki_retry_after
    try:
        current = limiter.current_limit
        reset_at = current.reset_at if current is not None else None
    except Exception:  # noqa: BLE001 - the storage failed: a minute is a fair guess
        reset_at = None
    return 60 if reset_at is None else max(1, math.ceil(reset_at - time.time()))


def wait_message(seconds: int) -> str:
    """'Try again in 3 minutes.' — rounded up to whole minutes above a minute."""
    if seconds <= 60:
        return f"Try again in {seconds} second{'s' if seconds != 1 else ''}."
    minutes = math.ceil(seconds / 60)
    return f"Try again in {minutes} minutes."
