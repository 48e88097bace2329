"""The one deny-by-default request guard for pages, Dash callbacks, exports and the API."""

from __future__ import annotations

import time

from flask import (
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user

from auth.access import (
    DASH_INTERNAL_PREFIXES,
    has_role,
    is_public,
    parse_callback_payload,
)

CALLBACK_PATH = "/_dash-update-component"
DASH_PAGE_ENDPOINTS = ("/", "/<path:path>")  # Dash's index and catch-all routes


def wants_json() -> bool:
    """XHR, Dash plumbing and the API get JSON errors; browsers navigating get pages."""
    path = request.path
    return (
        path.startswith(("/_dash-", "/api/", "/live/"))
        or request.headers.get("X-Requested-With") == "XMLHttpRequest"
        or request.accept_mimetypes.best == "application/json"
    )


def navigating() -> bool:
    """A browser opening an address (a link, the address bar): it names text/html in Accept and
    prefers it to JSON. Scripts (no Accept, or */*), XHR and the API are not navigating."""
    if wants_json():
        return False
    accept = request.accept_mimetypes
    named = any(value == "text/html" for value, _quality in accept)
    return named and accept.best_match(("text/html", "application/json")) == "text/html"


def refuse(status: int, message: str):
    if wants_json():
        response = jsonify(
            {
                "error": {
                    "code": "unauthorized" if status == 401 else "forbidden",
                    "message": message,
                    "details": {},
                }
            }
        )
        response.status_code = status
        return response
    if status == 401:
        target = request.full_path if request.query_string else request.path
        return redirect(url_for("auth.login", next=target))
    return render_template("forbidden.html", message=message), status


SESSION_TOUCH_SECONDS = (
    60  # how often an active session's cookie is signed and sent again
)


def _session_expired() -> bool:
    """Absolute lifetime since sign-in, and the idle timeout, both checked on the server.

    An active session is touched (its cookie re-signed with a new expiry) at most once a minute,
    not on every request: the idle timeout holds to the minute without the cost per request.
    """
    now = time.time()
    started = session.get("login_at")
    config = current_app.config
    if started is None or now - started > config["SESSION_MAX_HOURS"] * 3600:
        return True
    seen = session.get("seen_at", started)
    if now - seen > config["SESSION_IDLE_MINUTES"] * 60:
        return True
    if now - seen >= SESSION_TOUCH_SECONDS:
        session["seen_at"] = now
    return False


def check_request():
    """before_request: refuse whatever the caller may not reach; None lets the request through."""
    path = request.path
    if is_public(path):
        return None
    if path.startswith("/api/"):
        authenticate = current_app.extensions.get("kiki_api_auth")
        return (
            authenticate()
            if authenticate
            else refuse(401, "A bearer token is required.")
        )
    if not current_user.is_authenticated:
        return refuse(401, "Sign in to continue.")
    if _session_expired():
        logout_user()
        session.clear()
        return refuse(401, "Your session has expired. Sign in again.")
    g.scope = current_user.scope
    rules = current_app.extensions["kiki_page_rules"]
    if path == CALLBACK_PATH:
        role = rules.callback_role(parse_callback_payload(request.get_data(cache=True)))
        return (
            None
            if role and has_role(role)
            else refuse(403, "You do not have access to this.")
        )
    if path.startswith(DASH_INTERNAL_PREFIXES):
        return None
    endpoint = request.endpoint or ""
    declared = getattr(current_app.view_functions.get(endpoint), "kiki_min_role", None)
    if declared:
        return (
            None
            if has_role(declared)
            else refuse(403, "You do not have access to this.")
        )
    if request.method in ("GET", "HEAD") and endpoint in DASH_PAGE_ENDPOINTS:
        return (
            None
            if has_role(rules.page_role(path))
            else refuse(403, "You do not have access to this page.")
        )
    return refuse(403, "You do not have access to this.")
