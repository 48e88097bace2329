"""Per-address limits on the doors that take credentials, checked before anything else runs.

The guard (bearer tokens), the origin check and CSRF all refuse before Flask-Limiter's own
hook and before a view's limits, so a request they refused was never counted: bad API tokens
and sign-in posts without a valid CSRF token could be sent without end. This hook runs first
(web/pipeline.py runs its check right after the request id, before every door),
refuses an address whose budget of failures is spent, and counts each failure after the
answer, whichever part refused it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, abort, current_app, g, request
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many

from auth.access import PUBLIC_PREFIXES, is_public
from auth.limits import LOGIN_LIMIT_PER_IP, limiter

TOKEN_LIMIT_PER_IP = (
    LOGIN_LIMIT_PER_IP  # the API's password grant: the same door, by API
)
# Bearer tokens refused (401), per address; KIKI_API_AUTH_FAILURE_LIMIT overrides it. Tokens are
# 256-bit random, so this stops floods, not guessing: one client's expired token retried in a
# loop, or a scanner, is slowed without refusing a busy office's good tokens.
API_AUTH_FAILURES_PER_IP = "120 per minute"


@dataclass(frozen=True)
class Door:
    name: str
    methods: tuple[str, ...]
    path: str  # exact, or a prefix when it ends with "/"
    limits: str
    failed: Callable[[Response], bool]
    setting: str | None = None  # an app setting that replaces ``limits`` when set

    def matches(self) -> bool:
        path = request.path
        on_path = (
            path.startswith(self.path) if self.path.endswith("/") else path == self.path
        )
        return on_path and request.method in self.methods


# The first door that matches a request counts it.
DOORS = (
    Door(
        "login-ip",
        ("POST",),
        "/login",
        LOGIN_LIMIT_PER_IP,
        lambda r: r.status_code != 302,
    ),
    Door(
        "invite-ip",
        ("GET", "POST"),
        "/invite/",
        LOGIN_LIMIT_PER_IP,
        lambda r: r.status_code >= 400,  # an invalid link, a refused form
    ),
    Door(
        "unsubscribe-ip",
        ("GET", "POST"),
        "/unsubscribe/",
        LOGIN_LIMIT_PER_IP,
        lambda r: r.status_code >= 400,  # a tampered link, an expired form
    ),
    Door(
        "api-token-ip",
        ("POST",),
        "/api/v1/auth/token",
        TOKEN_LIMIT_PER_IP,
        lambda r: r.status_code != 200,
    ),
    Door(
        "api-auth-ip",
        ("GET", "POST", "PUT", "PATCH", "DELETE"),
        "/api/",
        API_AUTH_FAILURES_PER_IP,
        lambda r: r.status_code == 401,
        "KIKI_API_AUTH_FAILURE_LIMIT",
    ),
)


def _door() -> Door | None:
    door = next((door for door in DOORS if door.matches()), None)
    if door is None or not is_public(request.path):
        return door
    if request.path == door.path or door.path in PUBLIC_PREFIXES:
        return door  # a public door: sign-in, the token grant, invitation links
    return None  # the API's schema and docs: no credentials taken there


def _identifiers(door: Door) -> tuple[str, ...]:
    return (limiter._key_prefix or "kiki", door.name, get_remote_address())


def _with_strategy(operation):
    """Run ``operation(strategy)`` on the limiter's storage, or on its in-memory fallback when
    the storage fails (sign-in never fails because Redis is down); None if neither answers."""
    try:
        return operation(limiter.limiter)
    except Exception:  # noqa: BLE001 - any storage error: count in memory until it is back
        limiter._storage_dead = True
        fallback = limiter._fallback_limiter
        if fallback is None:
            return None
        try:
            return operation(fallback)
        except Exception:  # noqa: BLE001
            return None


def _items(door: Door) -> list[RateLimitItem]:
    setting = current_app.config.get(door.setting) if door.setting else None
    return parse_many(setting or door.limits)


def check_address_limits():
    """before_request, first of all: 429 when this address spent a door's budget of failures."""
    door = _door()
    if door is None:
        return
    g.kiki_address_door = door
    ids = _identifiers(door)
    for item in _items(door):
        allowed = _with_strategy(lambda strategy, item=item: strategy.test(item, *ids))
        if allowed is False:
            stats = _with_strategy(
                lambda strategy, item=item: strategy.get_window_stats(item, *ids)
            )
            reset = stats.reset_time if stats else time.time() + 60
            g.kiki_retry_after = max(1, math.ceil(reset - time.time()))
            g.kiki_address_refused = True
            abort(429)
    return


def count_address_failure(response: Response) -> Response:
    """after_request: a failed attempt at a door counts against its address, whoever refused."""
    door = g.get("kiki_address_door")
    if door is None or g.get("kiki_address_refused") or not door.failed(response):
        return response
    ids = _identifiers(door)
    for item in _items(door):
        _with_strategy(lambda strategy, item=item: strategy.hit(item, *ids))
    return response
