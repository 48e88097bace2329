"""Whole Dash callback responses in the shared cache: a warm callback is one Redis round trip.

A page marks each callback whose whole answer may be cached with ``@cache_response``, written
under its ``@callback`` (the mark is on the callback, where its reader looks); ``init_dash``
collects the marked callbacks' outputs once the app's callback map is complete. Such an answer
may depend only on the request body (inputs, state, what triggered it), the caller's
organization and role and the organization's data. The response is stored as sent (already
gzipped when the client accepts it) under the scope, the client's Accept-Encoding and a hash of
the body, tagged with the organization's generation: invalidate_organization expires it like
every cached read. Not under the date: the date ranges are in the body, and a key with today in
it made every organization's answers miss together at midnight.

The lookup is a before_request hook, not a wrapper inside the callback, so that a warm answer
costs one cache round trip and none of Dash's dispatch; it runs after the guard, CSRF and the
rate limit (web/pipeline.py), so a cached answer is refused exactly when a computed one would be.

An answer is fresh for CACHE_TIMEOUT, give or take FRESH_JITTER (data/cache.py fresh_seconds),
so the answers computed together at a busy moment are not all recomputed together when they
expire (which once took every core for seconds, and every request waited). Past that it is kept
as long again: the first request to find it stale recomputes it, and while it does, the others
get the stale answer (same generation, so the same data) instead of waiting.

Figures behind these choices: docs/BENCHMARKS.md, "Figures behind code choices".
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

import dash
from flask import current_app, g, request

from auth.access import parse_callback_payload
from data import telemetry
from data.cache import (
    cache,
    caching_whole_answer,
    current_breaker,
    fresh_seconds,
    remember_generation,
)

CALLBACK_PATH = "/_dash-update-component"
KEPT_HEADERS = ("Content-Type", "Content-Encoding", "Vary")
# One computation per missing answer: the first request takes a lock, identical ones wait for
# its answer (a herd of cold overviews, e.g. when entries expire together, queued everything
# behind them).
LOCK_SECONDS = 30
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.025
STALE_FOR = 1.0  # an answer is kept this many times its fresh life after it goes stale
MARK = "kiki_cache_response"  # the attribute cache_response sets on a callback
# Where init_dash keeps the marked callbacks' output ids (app.extensions).
CACHED_OUTPUTS = "kiki_cached_callbacks"


def cache_response(func: Callable) -> Callable:
    """Mark a Dash callback whose whole serialized response may be cached and shared.

    Only for callbacks whose answer depends on nothing but the request body, the caller's
    organization and role and the organization's data (not on today's date: a range relative
    to today is resolved into the body before it is sent). Put it under ``@callback``.
    """
    setattr(func, MARK, True)
    return func


def cached_outputs(app: dash.Dash) -> frozenset[str]:
    """The output ids (as in Dash's callback map) of the app's callbacks marked cache_response."""
    return frozenset(
        output
        for output, entry in app.callback_map.items()
        if getattr(entry.get("callback"), MARK, False)
    )


def _cacheable() -> tuple[str, str] | None:
    """(response key, generation key) when this request is an opted-in callback, else None."""
    scope = g.get("scope")
    if request.path != CALLBACK_PATH or request.method != "POST" or scope is None:
        return None
    body = request.get_data(cache=True)
    output = parse_callback_payload(body).get("output")
    if not isinstance(output, str) or output not in current_app.extensions.get(
        CACHED_OUTPUTS, ()
    ):
        return None
    encoding = request.headers.get("Accept-Encoding", "")[:100]
    digest = hashlib.sha256(encoding.encode() + b"\0" + body).hexdigest()[:40]
    key = f"response:{scope.cache_key}:{digest}"
    return key, f"gen:{scope.organization_id}"


def serve_cached_response():
    """before_request: the stored response when it is current; else remember what to store."""
    found = _cacheable()
    breaker = current_breaker()
    if found is None or breaker is None or not breaker.available():
        return None
    key, generation_key = found
    try:
        generation, hit = cache.get_many(generation_key, key)
    except Exception as exc:  # noqa: BLE001 - any backend failure means "compute it"
        breaker.failed(exc)
        return None
    generation = int(generation or 0)
    stale = None
    if _current(hit, generation):
        if hit[3] > time.time():
            return _answer(hit)
        stale = hit  # ours to refresh, or someone else's already
    remember_generation(
        g.scope.organization_id, generation
    )  # the reads below need it too
    lock = f"{key}:computing"
    try:
        mine = cache.add(lock, 1, timeout=LOCK_SECONDS)
        if not mine and stale is not None:  # being refreshed right now: the stale one
            return _answer(stale, "stale")
        if not mine:  # someone computes this answer right now: wait for it
            deadline = time.monotonic() + WAIT_SECONDS
            while time.monotonic() < deadline:
                time.sleep(POLL_SECONDS)
                generation, hit = cache.get_many(generation_key, key)
                generation = int(generation or 0)
                if _current(hit, generation):
                    return _answer(hit)
    except Exception as exc:  # noqa: BLE001
        breaker.failed(exc)
        return None
    g.kiki_response_key = (key, generation, lock if mine else None)
    caching_whole_answer()  # the rollup reads it makes need no entries of their own
    return None


def _current(hit, generation: int) -> bool:
    """(generation, headers, body, fresh until) of this generation, fresh or stale."""
    return isinstance(hit, tuple) and len(hit) == 4 and hit[0] == generation


def _answer(hit, result: str = "hit"):
    telemetry.cache_result("callback_response", result)
    return current_app.response_class(hit[2], headers=hit[1])


def store_response(response):
    """after_request (runs after compression): keep a successful opted-in callback's answer."""
    pending = g.pop("kiki_response_key", None)
    breaker = current_breaker()
    if pending is None or breaker is None:
        return response
    key, generation, lock = pending
    storable = response.status_code == 200 and not (
        response.is_streamed or response.direct_passthrough
    )
    headers = [(k, response.headers[k]) for k in KEPT_HEADERS if k in response.headers]
    try:
        if storable:
            fresh = fresh_seconds()
            entry = (generation, headers, response.get_data(), time.time() + fresh)
            cache.set(key, entry, timeout=round(fresh * (1 + STALE_FOR)))
        if lock:
            cache.delete(lock)
    except Exception as exc:  # noqa: BLE001
        breaker.failed(exc)
        return response
    if storable:
        telemetry.cache_result("callback_response", "miss")
    return response


def init_dash(app: dash.Dash) -> None:
    """Call once the app's callback map is complete: which callbacks' answers are kept.
    (The hooks serve_cached_response and store_response are registered by web/pipeline.py.)"""
    app.server.extensions[CACHED_OUTPUTS] = cached_outputs(app)
