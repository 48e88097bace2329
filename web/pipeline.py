"""The request pipeline: every before- and after-request hook, in the order it runs, and why.

This is the one place that registers the app's own hooks. The extensions register theirs
themselves (Flask-Login, flask-wtf's CSRF, Flask-Limiter in auth.init_app; flask-compress and
Dash's own in ``dash.Dash(...)``); ``init_app`` then lays every hook out in the order of the
tables below, so each of ours sits where its reason says, relative to theirs. A hook of theirs
that the tables do not name stops the app from starting: place it here first.

Flask runs before_request hooks in registration order and after_request hooks in reverse
registration order; the tables are written in the order the hooks RUN, and ``init_app``
registers AFTER_REQUEST reversed. A before hook that returns a response ends the before phase
(Dash and the view never run), and every after hook still runs on that response.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from flask import Flask

from api import http as api_http
from auth import address_limits, guard, security
from web import (
    callback_cache,
    delivery,
    malformed,
    prometheus,
    request_log,
    scripts,
)


@dataclass(frozen=True)
class Hook:
    """One hook: ours (``func``, registered here) or an extension's (matched by ``name``)."""

    name: str  # module:qualified name, as the function reports it
    why: str
    func: Callable | None = None


def ours(func: Callable, why: str) -> Hook:
    return Hook(hook_name(func), why, func)


def theirs(name: str, why: str) -> Hook:
    return Hook(name, why)


def hook_name(func: Callable) -> str:
    """module:qualname of a hook (of the function a functools.partial wraps)."""
    while isinstance(func, partial):
        func = func.func
    return f"{func.__module__}:{func.__qualname__}"


# In the order they run, for every request.
BEFORE_REQUEST = (
    ours(
        prometheus.start_timer,
        "first, so requests refused by anything below are timed and counted too",
    ),
    ours(
        request_log.assign_request_id,
        "before anything that logs or refuses: every log line and answer carries the id",
    ),
    ours(
        address_limits.check_address_limits,
        "an address that spent its budget of failed sign-ins or bad tokens is refused before "
        "any door (guard, CSRF, password check) answers differently",
    ),
    ours(
        malformed.check_request_body,
        "the size limit of the path (an upload route's is larger) and form-only sign-in bodies, "
        "before the guard reads a callback's body",
    ),
    ours(
        guard.check_request,
        "deny by default, before CSRF: an anonymous caller gets 401 JSON or the sign-in "
        "redirect, a wrong role 403, never a CSRF 400",
    ),
    ours(
        security.check_origin,
        "a cross-site POST is refused on its Origin/Referer before any token is read",
    ),
    theirs(
        "flask_wtf.csrf:CSRFProtect.init_app.<locals>.csrf_protect",
        "flask-wtf (auth.security.csrf): the CSRF token of forms and Dash callbacks",
    ),
    theirs(
        "flask_limiter._extension:Limiter._check_request_limit",
        "Flask-Limiter (auth.limits): only callers the guard let in spend the limits",
    ),
    ours(
        malformed.check_callback_envelope,
        "a callback body Dash could not dispatch is answered 400 here, not a 500 in Dash; "
        "after the guard, CSRF and the limits, so only callers let in learn why",
    ),
    ours(
        scripts.serve_vendored_scripts,
        "the smaller plotly.js and polyfill, answered before Dash's suite route reads its own",
    ),
    ours(
        callback_cache.serve_cached_response,
        "after the guard, CSRF and the limits: a cached answer is refused exactly when a "
        "computed one would be; before Dash, so a warm answer skips Dash's dispatch",
    ),
    theirs(
        "dash.dash:Dash._setup_server",
        "Dash's first-request setup: already run at build time "
        "(shell/dash_internals.claim_callbacks), returns at once",
    ),
    theirs(
        "dash.dash:Dash.enable_pages.<locals>.router_sync",
        "Dash Pages: at the first request, adds the page router's callbacks",
    ),
)

# In the order they run, for every request (registered in reverse).
AFTER_REQUEST = (
    ours(
        scripts.hint_suite_scripts,
        "before compression: the hinted bytes are what flask-compress gzips and keeps",
    ),
    ours(
        delivery.buffer_asset_files,
        "before compression: a streamed /assets/ file becomes bytes that can be gzipped",
    ),
    theirs(
        "flask_compress.flask_compress:Compress.after_request",
        "flask-compress, which Dash(compress=True) registers: gzip (web/delivery.py settings)",
    ),
    ours(
        callback_cache.store_response,
        "after compression: a callback's answer is stored as sent, already gzipped",
    ),
    ours(
        delivery.cache_versioned_assets,
        "a versioned /assets/ file is cached for a year",
    ),
    ours(api_http.add_cors_headers, "CORS headers on /api/ answers only"),
    ours(
        prometheus.record_request,
        "the duration includes compression and the cache store",
    ),
    ours(
        address_limits.count_address_failure,
        "a failed attempt at a door counts against its address, whichever hook refused it",
    ),
    ours(
        security.set_headers,
        "security headers (CSP and the rest) on every answer, refusals included",
    ),
    theirs(
        "flask_limiter._extension:Limiter.__inject_headers",
        "Flask-Limiter's X-RateLimit headers (API and refusals)",
    ),
    theirs(
        "flask_login.login_manager:LoginManager._update_remember_cookie",
        "Flask-Login's remember-me cookie",
    ),
    ours(
        request_log.echo_request_id,
        "last: every answer, whatever it went through, echoes its request id",
    ),
)

# Blueprint hooks: Flask runs a blueprint's after_request hooks before the app's.
BLUEPRINT_AFTER_REQUEST = {
    "api": (
        ours(
            api_http.audit_call,
            "an audit row for every call made with a valid token",
        ),
    ),
}


def _laid_out(table: tuple[Hook, ...], registered: list[Callable], kind: str) -> list:
    """The hooks of ``table`` in its order: ours as written, theirs as the extension registered."""
    found = {hook_name(func): func for func in registered}
    named = {hook.name for hook in table}
    unplaced = sorted(set(found) - named)
    if unplaced:
        raise RuntimeError(
            f"{kind} hooks with no place in web/pipeline.py: {', '.join(unplaced)}"
        )
    return [
        hook.func if hook.func is not None else found[hook.name]
        for hook in table
        if hook.func is not None or hook.name in found
    ]


def init_app(app: Flask) -> None:
    """Call once every extension and the Dash app are built: lay the hooks out as in the tables."""
    app.before_request_funcs[None] = _laid_out(
        BEFORE_REQUEST, app.before_request_funcs.get(None, []), "before_request"
    )
    run_order = _laid_out(
        AFTER_REQUEST, app.after_request_funcs.get(None, [])[::-1], "after_request"
    )
    app.after_request_funcs[None] = run_order[::-1]
    for blueprint, table in BLUEPRINT_AFTER_REQUEST.items():
        hooks = app.after_request_funcs.setdefault(blueprint, [])
        hooks[:] = _laid_out(table, hooks[::-1], f"{blueprint} after_request")[::-1]


def describe() -> str:
    """The tables as text (``python -m web.pipeline``), e.g. for docs/ARCHITECTURE.md."""
    lines = ["before_request, in the order they run:"]
    lines += [f"  {i}. {h.name} - {h.why}" for i, h in enumerate(BEFORE_REQUEST, 1)]
    lines.append("after_request, in the order they run:")
    for blueprint, table in BLUEPRINT_AFTER_REQUEST.items():
        lines += [f"  ({blueprint} blueprint) {h.name} - {h.why}" for h in table]
    lines += [f"  {i}. {h.name} - {h.why}" for i, h in enumerate(AFTER_REQUEST, 1)]
    return "\n".join(lines)


if __name__ == "__main__":
    print(describe())
