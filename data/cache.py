"""Flask-Caching for repository reads: Redis when REDIS_URL is set, in-process otherwise.

A read is cached under its function, the caller's organization and role, the organization's
generation number and every argument; bumping the generation (invalidate_organization) expires
all of an organization's reads at once. Any cache failure means "read the database": a breaker
skips the cache for a while after an error, so a black-holed Redis costs one timeout, not one
per read, and the outage is logged once.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import random
import threading
import time

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context
from flask_caching import Cache
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy.orm import Session

from data import telemetry

log = logging.getLogger(__name__)
cache = Cache()
RETRY_AFTER_SECONDS = 15.0
FRESH_JITTER = 0.2  # cached entries live CACHE_TIMEOUT +/- 20 %
PENDING_KEY = "kiki_invalidate"
# session.info: the organizations the last commit expired (data/live.py announces them)
INVALIDATED_KEY = "kiki_invalidated"
GENERATIONS_KEY = "kiki_generations"  # in flask.g: generations this request has read
# in flask.g: this request's answer is cached whole
WHOLE_ANSWER_KEY = "kiki_whole_answer_cached"


def init_app(app: Flask) -> None:
    """Bind the cache (Redis with short socket timeouts and no retries, or SimpleCache)."""
    if app.config.get("REDIS_URL"):
        settings = {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": app.config["REDIS_URL"],
            "CACHE_KEY_PREFIX": app.config.get("CACHE_KEY_PREFIX", "kiki:"),
            "CACHE_OPTIONS": {
                "socket_timeout": 0.5,
                "socket_connect_timeout": 0.5,
                "retry": Retry(NoBackoff(), 0),
            },
        }
    else:
        settings = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}
    settings["CACHE_DEFAULT_TIMEOUT"] = app.config.get("CACHE_TIMEOUT", 300)
    cache.init_app(app, config=settings)
    app.extensions["kiki_cache_breaker"] = Breaker(
        app.config.get("CACHE_RETRY_SECONDS", RETRY_AFTER_SECONDS)
    )


class Breaker:
    """Tracks cache health: after a failure the cache is skipped for ``retry_after`` seconds.

    Invalidations that could not be written are replayed when the cache answers again.
    """

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        self.down_since: float | None = None
        self.retry_at = 0.0
        self.pending: set[int] = set()
        self._lock = threading.Lock()

    def available(self) -> bool:
        return self.down_since is None or time.monotonic() >= self.retry_at

    def failed(self, exc: Exception) -> None:
        with self._lock:
            if self.down_since is None:
                self.down_since = time.monotonic()
                log.warning("cache unavailable, reading from the database: %s", exc)
            self.retry_at = time.monotonic() + self.retry_after

    def succeeded(self) -> None:
        if self.down_since is None:
            return
        with self._lock:
            if self.down_since is None:
                return
            log.warning(
                "cache available again after %.0f s", time.monotonic() - self.down_since
            )
            self.down_since = None
            pending, self.pending = self.pending, set()
        for organization_id in pending:
            invalidate_organization(organization_id)


def fresh_seconds() -> float:
    """How long a newly cached entry counts as fresh: CACHE_TIMEOUT, give or take FRESH_JITTER,
    so that entries filled together (a page load, a busy minute) do not all expire together
    and get recomputed at once."""
    base = max(current_app.config.get("CACHE_TIMEOUT", 300), 1)
    return base * random.uniform(1 - FRESH_JITTER, 1 + FRESH_JITTER)


def current_breaker() -> Breaker | None:
    """The current app's breaker when reads should be cached, else None."""
    if not current_app or not current_app.config.get("CACHE_READS", True):
        return None
    return current_app.extensions.get("kiki_cache_breaker")


def _generation(organization_id: int) -> int:
    """The organization's generation, read from the cache once per request."""
    known = g.setdefault(GENERATIONS_KEY, {}) if has_request_context() else {}
    if organization_id not in known:
        known[organization_id] = int(cache.get(f"gen:{organization_id}") or 0)
    return known[organization_id]


def remember_generation(organization_id: int, generation: int) -> None:
    """A generation this request already read (the response cache's lookup fetches it)."""
    if has_request_context():
        g.setdefault(GENERATIONS_KEY, {})[organization_id] = generation


def invalidate_organization(organization_id: int) -> None:
    """Make every cached read of one organization stale (its data changed)."""
    breaker = current_breaker()
    if breaker is None:
        return
    if not breaker.available():
        breaker.pending.add(organization_id)
        return
    key = f"gen:{organization_id}"
    if has_request_context():
        g.get(GENERATIONS_KEY, {}).pop(organization_id, None)
    try:
        backend = cache.cache
        if hasattr(backend, "_write_client"):  # Redis: INCR is atomic across processes
            backend.inc(key)
        else:
            cache.set(key, _generation(organization_id) + 1, timeout=0)
    except Exception as exc:  # noqa: BLE001 - any backend failure
        breaker.pending.add(organization_id)
        breaker.failed(exc)
        return
    breaker.succeeded()


def invalidate_on_commit(
    session: Session | sa.Connection, organization_id: int
) -> None:
    """Expire the organization's cached reads when ``session`` commits (not before)."""
    if isinstance(session, sa.Connection):
        sa.event.listen(
            session,
            "commit",
            lambda _conn: invalidate_organization(organization_id),
            once=True,
        )
        return
    session.info.setdefault(PENDING_KEY, set()).add(organization_id)


def invalidate_committed(session: Session) -> None:
    """after_commit (data/effects.py): expire what invalidate_on_commit marked."""
    organizations = session.info.pop(PENDING_KEY, set())
    for organization_id in organizations:
        invalidate_organization(organization_id)
    session.info[INVALIDATED_KEY] = organizations


def _key(func, scope, generation: int, args: tuple, kwargs: dict) -> str:
    # repr of the frozen filter dataclasses, dates and tuples is stable across processes.
    digest = hashlib.sha256(
        repr((args, sorted(kwargs.items()))).encode("utf-8")
    ).hexdigest()[:32]
    name = f"{func.__module__}.{func.__qualname__}"
    return f"read:{name}:{scope.cache_key}:g{generation}:{digest}"


def _has_unsaved_writes(session) -> bool:
    """Reads inside a transaction that wrote must neither use nor fill the shared cache."""
    info = getattr(session, "info", {})
    return bool(
        info.get(PENDING_KEY) or session.new or session.dirty or session.deleted
    )


def caching_whole_answer() -> None:
    """This request's whole callback answer is about to be computed and cached as sent
    (web/callback_cache.py): reads declared ``in_whole_answers=False`` skip the cache."""
    setattr(g, WHOLE_ANSWER_KEY, True)


def _inside_cached_answer() -> bool:
    return has_request_context() and g.get(WHOLE_ANSWER_KEY, False)


def cached_read(func=None, *, in_whole_answers: bool = True):
    """Cache a repository read under its name, the caller's scope and every argument.

    The first two arguments must be (session, scope). Outside an app context, with
    CACHE_READS off, or while the cache is failing, the function is simply called.

    ``in_whole_answers=False``: not cached while a callback answer that will be cached whole is
    computed. For cheap reads (the daily rollup's) the answer's own
    entry is what a repeat finds, and caching the frames as well cost a cold overview a GET and
    a SET of pickled frames per read (figure: docs/BENCHMARKS.md). What the
    separate entry would have saved: the rollup's SQL again when only the theme, the
    granularity or a refresh tick changes the answer. Expensive reads (rankings over the raw
    rows) keep the default.
    """
    if func is None:
        return functools.partial(cached_read, in_whole_answers=in_whole_answers)
    name = func.__name__

    @functools.wraps(func)
    def wrapper(session, scope, *args, **kwargs):
        breaker = current_breaker()
        if (
            breaker is None
            or _has_unsaved_writes(session)
            or (not in_whole_answers and _inside_cached_answer())
        ):
            return func(session, scope, *args, **kwargs)
        if not breaker.available():
            telemetry.cache_result(name, "bypass")
            return func(session, scope, *args, **kwargs)
        try:
            key = _key(func, scope, _generation(scope.organization_id), args, kwargs)
            hit = cache.get(key)
        except Exception as exc:  # noqa: BLE001 - any backend failure means "no cache"
            breaker.failed(exc)
            telemetry.cache_result(name, "error")
            return func(session, scope, *args, **kwargs)
        if hit is not None:
            breaker.succeeded()
            telemetry.cache_result(name, "hit")
            return hit
        value = func(session, scope, *args, **kwargs)
        try:
            cache.set(key, value, timeout=round(fresh_seconds()))
        except Exception as exc:  # noqa: BLE001
            breaker.failed(exc)
            telemetry.cache_result(name, "error")
            return value
        breaker.succeeded()
        telemetry.cache_result(name, "miss")
        return value

    wrapper.uncached = func
    return wrapper
