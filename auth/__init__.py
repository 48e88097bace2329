"""Authentication and authorization: sessions, the request guard, roles, rate limits, CSRF, headers."""

from __future__ import annotations

import dash
from flask import Flask

from auth import invitations, security, user_cache, views
from auth.access import PageRules
from auth.passwords import PASSWORDS
from auth.session_user import login_manager
from data import protocols


def init_app(app: Flask) -> None:
    """Bind login, CSRF, the rate limiter and the login blueprint (web/pipeline.py orders the hooks)."""
    protocols.bind(
        app, hasher=PASSWORDS
    )  # data hashes through it (auth.crypto binds the cipher)
    login_manager.init_app(app)
    channel = app.config.get("CACHE_KEY_PREFIX", "kiki:") + "session-users"
    app.extensions["kiki_user_cache"] = user_cache.UserCache(
        user_cache.listener_for(app.config.get("REDIS_URL"), channel)
    )
    user_cache.watch_writes()
    login_manager.session_protection = "basic"
    security.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(invitations.bp)  # /invite/<token>, public


def init_dash(app: dash.Dash) -> None:
    """Derive the page and callback access rules from Dash's page registry, and let the CSP
    allow the inline scripts Dash writes into its page (its bootstrap, clientside callbacks),
    and no others, by their hashes."""
    app.server.extensions["kiki_page_rules"] = PageRules(
        dash.page_registry, app.callback_map, app.config.requests_pathname_prefix
    )
    security.allow_dash_inline_scripts(app.server, app)
