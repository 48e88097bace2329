"""Who may reach what: public paths, page roles and callback roles, all derived from one place.

Pages declare ``min_role`` and ``id_prefix`` in ``dash.register_page``; a callback's required role
is the strictest role of the pages owning its output ids. Anything not declared is refused.
"""

from __future__ import annotations

import json
from functools import wraps

from flask import abort, g
from flask_login import current_user

from auth.page_paths import routed_page
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
# /invite/<token>: the invitation form, for people who have no account yet. The blueprint
# (auth/invitations.py) answers every path under it, so no other view is opened by the prefix.
# /unsubscribe/<token>: a report e-mail's link (exports/unsubscribe.py), signed; same reasoning.
PUBLIC_PREFIXES = ("/assets/", "/invite/", "/unsubscribe/")
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

    def __init__(
        self,
        page_registry,
        callback_map: dict | None = None,
        pathname_prefix: str = "/",
    ) -> None:
        self.callback_map = callback_map  # the app's own dict, filled as Dash registers
        self.registry = page_registry  # Dash's own dict: the router reads the same one
        self.pathname_prefix = pathname_prefix
        self.prefixes: dict[str, str] = dict(SHELL_PREFIXES)
        for page in page_registry.values():
            if page.get("id_prefix"):
                self.prefixes[page["id_prefix"]] = page.get("min_role", "viewer")

    def page_role(self, path: str) -> str:
        """The role of the page Dash's router would render for ``path`` (any variant of it:
        doubled or trailing slashes resolve as the router resolves them); a path no page has
        renders the not-found page, open to any user."""
        page = routed_page(self.registry, path, self.pathname_prefix)
        return page.get("min_role", "viewer") if page else "viewer"

    def callback_role(self, payload: dict) -> str | None:
        """The strictest role among the outputs of the callback Dash will run, or None (refuse).

        Dash picks the function by the payload's ``output`` key, so that key decides; the
        ``outputs`` list is counted too, so a forged list can only raise the bar. The page router
        (``_pages_content``) also needs the role of every path the payload carries, because Dash
        hands the router its inputs by position, whatever ids they claim.
        """
        key = payload.get("output")
        if not isinstance(key, str):
            return None
        if self.callback_map is not None:
            entry = self.callback_map.get(key)
            if entry is None or "callback" not in entry:
                return None  # unknown, or client-side only: nothing to run here
        outputs = payload.get("outputs")
        outputs = [] if outputs is None else outputs
        outputs = outputs if isinstance(outputs, list) else [outputs]
        ids = output_ids(key) + [_component_type(item) for item in _flatten(outputs)]
        roles = []
        for component_id in ids:
            role = self._prefix_role(component_id)
            if role is None:
                return None
            roles.append(role)
        if "_pages_content" in ids:
            roles += [self.page_role(value) for value in _string_values(payload)]
        return max(roles, key=ROLE_RANK.__getitem__) if roles else None

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


def output_ids(key: str) -> list[str]:
    """Component ids (a pattern id's ``type``) named by a callback-map key like "..a.b...c.d.."."""
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    ids = []
    for part in parts:
        # Properties (and their "@hash" suffixes) hold no dot: the id is what comes before.
        component_id = part.rpartition(".")[0]
        if component_id.startswith("{"):
            try:
                component_id = json.loads(component_id)
            except ValueError:
                component_id = ""
        ids.append(_component_type({"id": component_id}))
    return ids


def _component_type(item) -> str:
    component_id = item.get("id") if isinstance(item, dict) else None
    if isinstance(component_id, dict):
        component_id = component_id.get("type")
    return component_id if isinstance(component_id, str) else ""


def _string_values(payload: dict) -> list[str]:
    items = [payload.get("inputs"), payload.get("state")]
    values = [
        item.get("value")
        for item in _flatten([i for i in items if isinstance(i, list)])
        if isinstance(item, dict)
    ]
    return [value for value in values if isinstance(value, str)]


def parse_callback_payload(raw: bytes) -> dict:
    try:
        payload = json.loads(raw or b"{}")
    except (ValueError, RecursionError):  # nested thousands deep: no callback to name
        return {}
    return payload if isinstance(payload, dict) else {}
