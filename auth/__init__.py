"""Authentication and authorization: sessions, the request guard, roles, rate limits, CSRF, headers."""

from __future__ import annotations

import dash
from flask import Flask

from auth import address_limits, guard, security, user_cache, views
from auth.access import PageRules
from auth.session_user import login_manager
from data.writes import org_tokens


def init_app(app: Flask) -> None:
    """Bind login, the guard (first, so it runs before CSRF), security and the login blueprint."""
    login_manager.init_app(app)
    channel = app.config.get("CACHE_KEY_PREFIX", "kiki:") + "session-users"
    app.extensions["kiki_user_cache"] = user_cache.UserCache(
        user_cache.listener_for(app.config.get("REDIS_URL"), channel)
    )
    user_cache.watch_writes()
    org_tokens.watch_epochs()  # a new session epoch revokes the user's API tokens
    login_manager.session_protection = "basic"
    guard.init_app(app)
    address_limits.init_app(app)  # puts itself first, before the guard and CSRF
    security.init_app(app)
    app.register_blueprint(views.bp)


def init_dash(app: dash.Dash) -> None:
    """Derive the page and callback access rules from Dash's page registry."""
    app.server.extensions["kiki_page_rules"] = PageRules(
        dash.page_registry, app.callback_map, app.config.requests_pathname_prefix
    )
