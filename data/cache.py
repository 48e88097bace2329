"""Flask-Caching for repository reads: Redis when REDIS_URL is set, in-process otherwise."""

from __future__ import annotations

import functools
import hashlib
import logging
import pickle

from flask import Flask, current_app
from flask_caching import Cache

log = logging.getLogger(__name__)
cache = Cache()


def init_app(app: Flask) -> None:
    if app.config.get("REDIS_URL"):
        settings = {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": app.config["REDIS_URL"],
            "CACHE_KEY_PREFIX": app.config.get("CACHE_KEY_PREFIX", "kiki:"),
            "CACHE_OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        }
    else:
        settings = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}
    settings["CACHE_DEFAULT_TIMEOUT"] = app.config.get("CACHE_TIMEOUT", 300)
    cache.init_app(app, config=settings)
    app.extensions["kiki_cache_generation"] = 0


class _Outage:
    """Logs a cache outage once, not once per request."""

    logged = False

    @classmethod
    def report(cls, exc: Exception) -> None:
        if not cls.logged:
            cls.logged = True
            log.warning("cache unavailable, reading from the database: %s", exc)

    @classmethod
    def recovered(cls) -> None:
        if cls.logged:
            cls.logged = False
            log.warning("cache available again")


def _generation(scope) -> int:
    try:
        return int(cache.get(f"gen:{scope.organization_id}") or 0)
    except Exception as exc:  # noqa: BLE001 - any backend failure means "no cache"
        _Outage.report(exc)
        return -1


def invalidate_organization(organization_id: int) -> None:
    """Make every cached read of one organization stale (data changed)."""
    try:
        cache.set(
            f"gen:{organization_id}", _generation_value(organization_id) + 1, timeout=0
        )
    except Exception as exc:  # noqa: BLE001
        _Outage.report(exc)


def _generation_value(organization_id: int) -> int:
    return int(cache.get(f"gen:{organization_id}") or 0)


def cached_read(func):
    """Cache a repository read under a key built from its name, the caller's scope and every argument.

    The first two arguments must be (session, scope); the organization's generation number is part
    of the key so invalidate_organization() expires everything at once.
    """

    @functools.wraps(func)
    def wrapper(session, scope, *args, **kwargs):
        if not current_app or not current_app.config.get("CACHE_READS", True):
            return func(session, scope, *args, **kwargs)
        generation = _generation(scope)
        if generation < 0:
            return func(session, scope, *args, **kwargs)
        digest = hashlib.sha256(
            pickle.dumps((args, sorted(kwargs.items())))
        ).hexdigest()[:32]
        key = f"read:{func.__module__}.{func.__name__}:{scope.cache_key}:g{generation}:{digest}"
        try:
            hit = cache.get(key)
        except Exception as exc:  # noqa: BLE001
            _Outage.report(exc)
            return func(session, scope, *args, **kwargs)
        if hit is not None:
            return pickle.loads(hit)
        value = func(session, scope, *args, **kwargs)
        try:
            cache.set(key, pickle.dumps(value))
            _Outage.recovered()
        except Exception as exc:  # noqa: BLE001
            _Outage.report(exc)
        return value

    return wrapper
