"""Who may reach what: public paths, page roles and callback roles, all derived from one place.

Pages declare ``min_role`` and ``id_prefix`` in ``dash.register_page``; a callback's required role
is the strictest role of the pages owning its output ids. Anything not declared is refused.
"""

from __future__ import annotations

import json
import re
from functools import wraps

from flask import abort, g
from flask_login import current_user

from data.scope import ROLE_RANK

PUBLIC_PATHS = frozenset(
    {
        "/login",
        "/healthz",
        "/readyz",
        "/metrics",  # not a session route: the view checks its own bearer token or loopback
        "/_favicon.ico",
        "/api/v1/auth/token",
        "/api/v1/openapi.json",
        "/api/v1/docs",
    }
)
PUBLIC_PREFIXES = ("/assets/",)
# Dash's own plumbing: any signed-in user (its content is library code or guarded elsewhere).
DASH_INTERNAL_PREFIXES = (
    "/_dash-component-suites/",
    "/_dash-layout",
    "/_dash-dependencies",
    "/_reload-hash",
)
# Output ids owned by the app shell rather than a page.
SHELL_PREFIXES = {"shell-": "viewer", "_pages_": "viewer"}


def requires_role(role: str):
    """Declare (for the guard, via ``kiki_min_role``) and enforce (in the view) a Flask view's minimal role."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not has_role(role):
                abort(403)
            return view(*args, **kwargs)

        wrapped.kiki_min_role = role
        return wrapped

    return decorate


def has_role(role: str) -> bool:
    user = g.get("api_user") or current_user
    return bool(
        user
        and user.is_authenticated
        and ROLE_RANK.get(user.role, 0) >= ROLE_RANK[role]
    )


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


class PageRules:
    """Page path patterns and callback id prefixes with the role each requires."""

    def __init__(self, page_registry) -> None:
        self.paths: list[tuple[re.Pattern, str]] = []
        self.prefixes: dict[str, str] = dict(SHELL_PREFIXES)
        for page in page_registry.values():
            role = page.get("min_role", "viewer")
            template = page.get("path_template") or page["path"]
            pattern = re.sub(
                r"<[^>]+>",
                "[^/]+",
                re.escape(template).replace(r"\<", "<").replace(r"\>", ">"),
            )
            self.paths.append((re.compile(f"^{pattern}/?$"), role))
            if page.get("id_prefix"):
                self.prefixes[page["id_prefix"]] = role

    def page_role(self, path: str) -> str:
        """The role a page path needs; unknown paths render the not-found page, open to any user."""
        for pattern, role in self.paths:
            if pattern.match(path):
                return role
        return "viewer"

    def callback_role(self, payload: dict) -> str | None:
        """The strictest role among a callback's outputs, or None when an output has no owner."""
        outputs = payload.get("outputs")
        outputs = outputs if isinstance(outputs, list) else [outputs]
        roles = []
        for output in _flatten(outputs):
            component_id = output.get("id") if isinstance(output, dict) else None
            if isinstance(component_id, dict):
                component_id = component_id.get("type")
            role = self._prefix_role(str(component_id or ""))
            if role is None:
                return None
            roles.append(role)
            if component_id == "_pages_content":
                roles.append(
                    self.page_role(
                        _input_value(payload, "_pages_location", "pathname") or "/"
                    )
                )
        if not roles:
            return None
        return max(roles, key=ROLE_RANK.__getitem__)

    def _prefix_role(self, component_id: str) -> str | None:
        matches = [
            prefix for prefix in self.prefixes if component_id.startswith(prefix)
        ]
        return self.prefixes[max(matches, key=len)] if matches else None


def _flatten(items):
    for item in items:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


def _input_value(payload: dict, component_id: str, prop: str):
    for item in _flatten(payload.get("inputs") or []):
        if (
            isinstance(item, dict)
            and item.get("id") == component_id
            and item.get("property") == prop
        ):
            return item.get("value")
    return None


def parse_callback_payload(raw: bytes) -> dict:
    try:
        payload = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}
