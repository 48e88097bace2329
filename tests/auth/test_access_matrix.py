"""Who reaches what: every URL rule, every page and every server callback, for five identities.

Nothing here is listed by hand: rules come from the Flask URL map, pages from Dash's registry
and callbacks from the app's callback map, so a new route, page or callback is covered the day
it is added. The expected answer comes from what each one declares (``requires_role`` on a
view, ``min_role``/``id_prefix`` on a page, the public allow-list), not from the guard.
"""

from __future__ import annotations

import re

import dash
import pytest

from auth.access import (
    DASH_INTERNAL_PREFIXES,
    PUBLIC_PATHS,
    PUBLIC_PREFIXES,
    SHELL_PREFIXES,
)
from data.scope import ROLE_RANK
from tests.auth import dash_calls
from tests.factories import login

IDENTITIES = {
    "anonymous": None,
    "viewer": ("acme", "viewer"),
    "analyst": ("acme", "analyst"),
    "admin": ("acme", "admin"),
    "other-org admin": ("globex", "admin"),
}
ROUTER = dash_calls.ROUTER
CALLBACK_PATH = "/_dash-update-component"
# Sample values for URL converters, by argument name (anything else gets "x").
SAMPLES = {
    "filename": "kiki.css",
    "path": "no-such-page",
    "package_name": "dash",
    "fingerprinted_path": "deps/polyfill@7.12.1.min.js",
    "campaign_id": "1",
    "kind": "trend",
    "rest": "nothing-here",
}


class Visitor:
    """A test client for one identity that signs in again whenever its session was ended."""

    def __init__(self, app, identity):
        self.app, self.identity = app, identity
        self.client = app.server.test_client()
        if identity:
            self.sign_in()

    def sign_in(self) -> None:
        slug, role = self.identity
        self.client = self.app.server.test_client()
        assert login(self.client, f"{role}@{slug}.test").status_code == 302

    def request(self, method: str, path: str, **kwargs):
        if self.identity and method != "GET":
            kwargs.setdefault("headers", {}).update(
                dash_calls.csrf_headers(self.client)
            )
        response = self.client.open(path, method=method, **kwargs)
        # /logout ends every session of the user: start a new one for the next request.
        if (
            self.identity
            and response.status_code in (301, 302, 303)
            and self.client.get("/_dash-layout").status_code != 200
        ):
            self.sign_in()
        return response


@pytest.fixture(scope="module")
def visitors(app):
    return {name: Visitor(app, identity) for name, identity in IDENTITIES.items()}


def rank(name: str) -> int:
    identity = IDENTITIES[name]
    return ROLE_RANK[identity[1]] if identity else 0


def declared(app, rule) -> str:
    """What a rule declares it needs: a role, "public", "token" (the API) or "nobody"."""
    path = rule.rule
    view = app.server.view_functions[rule.endpoint]
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return "public"
    if path.startswith("/api/"):
        return "token"
    if getattr(view, "kiki_min_role", None):
        return view.kiki_min_role
    if path.startswith(DASH_INTERNAL_PREFIXES) or rule.endpoint in (
        "/",
        "/<path:path>",
    ):
        return "viewer"  # Dash's plumbing, and unknown page paths (the not-found page)
    return "nobody"  # includes a callback POST that names no callback


def concrete(rule) -> str:
    return re.sub(
        r"<(?:[^:>]+:)?([^>(]+)(?:\([^)]*\))?>",
        lambda m: SAMPLES.get(m.group(1), "x"),
        rule.rule,
    )


def rule_cases(app):
    for rule in sorted(app.server.url_map.iter_rules(), key=lambda r: r.rule):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def assert_allowed(response, what: str) -> None:
    location = response.headers.get("Location", "")
    assert response.status_code not in (401, 403) and not location.startswith(
        "/login?next="
    ), (
        f"{what}: refused ({response.status_code}) {response.get_data(as_text=True)[:200]}"
    )
    assert response.status_code < 500, f"{what}: {response.status_code}"


def assert_refused(response, what: str) -> None:
    assert response.status_code == 403, f"{what}: {response.status_code}, expected 403"


def assert_unauthenticated(response, path: str, xhr: bool, what: str) -> None:
    # /live/ streams are read by EventSource, never navigated to: 401, not a redirect.
    if xhr or path.startswith(("/_dash-", "/api/", "/live/")):
        assert response.status_code == 401, f"{what}: {response.status_code}"
        assert response.json["error"]["code"] == "unauthorized", what
    else:
        assert response.status_code == 302, f"{what}: {response.status_code}"
        assert response.headers["Location"].startswith("/login?next="), what


@pytest.mark.parametrize("name", list(IDENTITIES))
def test_every_url_rule(app, visitors, name):
    visitor, checked = visitors[name], 0
    for rule, method in rule_cases(app):
        path, need = concrete(rule), declared(app, rule)
        kwargs = {"json": {}} if path == CALLBACK_PATH else {}
        what = f"{name} {method} {path} (needs {need})"
        response = visitor.request(method, path, **kwargs)
        checked += 1
        if need == "public":
            assert response.status_code != 401 and not response.headers.get(
                "Location", ""
            ).startswith("/login?next"), what
            assert response.status_code < 500, what
        elif need == "token":
            assert response.status_code == 401, f"{what}: sessions do not open the API"
        elif name == "anonymous":
            assert_unauthenticated(response, path, False, what)
            xhr = visitor.request(
                method, path, headers={"X-Requested-With": "XMLHttpRequest"}, **kwargs
            )
            assert_unauthenticated(xhr, path, True, what + " (XHR)")
        elif need != "nobody" and rank(name) >= ROLE_RANK[need]:
            assert_allowed(response, what)
        else:
            assert_refused(response, what)
    assert checked >= 20


def test_every_page_declares_its_role_and_id_prefix():
    for page in dash.page_registry.values():
        assert page.get("min_role") in ROLE_RANK, page["module"]
        assert page.get("id_prefix", "").endswith("-"), page["module"]


@pytest.mark.parametrize("name", list(IDENTITIES))
def test_every_page_and_its_router_callback(app, world, visitors, name):
    visitor = visitors[name]
    for path, need in dash_calls.page_paths(world):
        what = f"{name} GET {path} (needs {need})"
        page = visitor.request("GET", path)
        body = dash_calls.payload(
            app,
            ROUTER,
            {"_pages_location.pathname": path, "_pages_location.search": ""},
        )
        routed = visitor.request("POST", CALLBACK_PATH, json=body)
        if name == "anonymous":
            assert_unauthenticated(page, path, False, what)
            assert_unauthenticated(routed, CALLBACK_PATH, True, what + " (router)")
        elif rank(name) >= ROLE_RANK[need]:
            assert page.status_code == 200, what
            assert routed.status_code == 200, f"{what} (router): {routed.status_code}"
        else:
            assert_refused(page, what)
            assert_refused(routed, what + " (router)")


@pytest.mark.parametrize("name", list(IDENTITIES))
def test_every_page_in_the_first_layout(app, world, visitors, name):
    """/_dash-layout holds the page its Referer names only for those the router would show it
    to, and then exactly what the router would answer (shell/page_container.py)."""
    visitor = visitors[name]
    for path, need in dash_calls.page_paths(world):
        what = f"{name} GET /_dash-layout from {path} (needs {need})"
        layout = visitor.request(
            "GET", "/_dash-layout", headers={"Referer": f"http://localhost{path}"}
        )
        if name == "anonymous":
            assert_unauthenticated(layout, "/_dash-layout", True, what)
            continue
        assert layout.status_code == 200, what
        container = dash_calls.page_container(layout.json)
        if rank(name) >= ROLE_RANK[need]:
            body = dash_calls.payload(
                app,
                ROUTER,
                {"_pages_location.pathname": path, "_pages_location.search": ""},
            )
            routed = visitor.request("POST", CALLBACK_PATH, json=body).json["response"]
            content, store = routed["_pages_content"], routed["_pages_store"]
            assert container["_pages_content"]["children"] == content["children"], what
            assert container["_pages_store"]["data"] == store["data"], what
            assert container["_pages_location"]["pathname"] == path, what
        else:
            assert container["_pages_content"].get("children") is None, what
            assert container["_pages_location"].get("pathname") is None, what


def owners() -> dict[str, str]:
    """Id prefix -> role, as the pages (and the app shell) declare them."""
    declared_prefixes = dict(SHELL_PREFIXES)
    for page in dash.page_registry.values():
        declared_prefixes[page["id_prefix"]] = page["min_role"]
    return declared_prefixes


def needed_role(key: str) -> str | None:
    prefixes, roles = owners(), []
    for spec in dash_calls.output_specs(key):
        component = spec["id"]["type"] if isinstance(spec["id"], dict) else spec["id"]
        matches = [p for p in prefixes if component.startswith(p)]
        if not matches:
            return None
        roles.append(prefixes[max(matches, key=len)])
    return max(roles, key=ROLE_RANK.__getitem__)


@pytest.fixture(scope="module")
def start_values(app, world):
    admin = Visitor(app, ("acme", "admin"))
    paths = [path for path, _ in dash_calls.page_paths(world)]
    return dash_calls.layout_values(app, admin.client, paths)


def test_every_server_callback_has_an_owning_page(app, start_values):
    callbacks = [k for k in dash_calls.server_callbacks(app) if k != ROUTER]
    assert len(callbacks) >= 10
    orphans = [key for key in callbacks if needed_role(key) is None]
    assert not orphans, f"no page declares the id prefix of these outputs: {orphans}"


@pytest.mark.parametrize("name", list(IDENTITIES))
def test_every_server_callback(app, visitors, start_values, name):
    visitor = visitors[name]
    for key in dash_calls.server_callbacks(app):
        if key == ROUTER:
            continue
        need = needed_role(key)
        what = f"{name} callback {key[:70]} (needs {need})"
        response = visitor.request(
            "POST", CALLBACK_PATH, json=dash_calls.payload(app, key, start_values)
        )
        if name == "anonymous":
            assert_unauthenticated(response, CALLBACK_PATH, True, what)
        elif need and rank(name) >= ROLE_RANK[need]:
            assert response.status_code in (200, 204), (
                f"{what}: {response.status_code} {response.get_data(as_text=True)[:300]}"
            )
        else:
            assert_refused(response, what)


@pytest.mark.parametrize("name", [n for n in IDENTITIES if n != "anonymous"])
def test_client_side_callbacks_are_refused_not_crashed(app, visitors, name):
    client_side = [k for k, spec in app.callback_map.items() if "callback" not in spec]
    assert client_side
    for key in client_side:
        response = visitors[name].request(
            "POST", CALLBACK_PATH, json=dash_calls.payload(app, key)
        )
        assert_refused(response, f"{name} client-side {key}")


def path_variants(path: str) -> list[str]:
    """Spellings of ``path`` a browser, a proxy or a forged payload may carry."""
    bare = path.strip("/")
    return [
        f"//{bare}",
        f"///{bare}",
        f"/{bare}/",
        f"/{bare}//",
        f"//{bare}//",
        f"/./{bare}",
        f"/{bare}/.",
        f"/{bare}.",
        f"/{bare.upper()}",
        f"/%2F{bare}",
        f"/{bare.replace('/', '//')}",
        f"/{bare}?x=1",
        f"/{bare}#x",
        f"/{bare}%20",
        f"/{bare}/./",
    ]


def pages_above(world, role: str) -> list[tuple[str, str]]:
    """(path, title) of every page ``role`` may not open (templates filled as page_paths does)."""
    titles = [page["title"] for page in dash.page_registry.values()]
    return [
        (path, title)
        for (path, need), title in zip(
            dash_calls.page_paths(world), titles, strict=True
        )
        if ROLE_RANK[need] > ROLE_RANK[role]
    ]


@pytest.mark.parametrize("name", ["viewer", "analyst"])
def test_path_variants_never_render_a_page_above_the_role(app, world, visitors, name):
    """Every door that renders a page (the router callback, the first layout, the page HTML)
    decides by the page the router resolves, whatever the spelling of its path."""
    visitor, checked = visitors[name], 0
    for path, title in pages_above(world, IDENTITIES[name][1]):
        for variant in path_variants(path):
            what = f"{name} {variant!r} (a page above the role: {title})"
            body = dash_calls.payload(
                app,
                ROUTER,
                {"_pages_location.pathname": variant, "_pages_location.search": ""},
            )
            routed = visitor.request("POST", CALLBACK_PATH, json=body)
            if routed.status_code == 200:
                store = routed.json["response"]["_pages_store"]["data"]
                assert store["title"] != title, what + " rendered by the router"
            else:
                assert routed.status_code in (400, 403), what
            layout = visitor.request(
                "GET",
                "/_dash-layout",
                headers={"Referer": f"http://localhost{variant}"},
            )
            container = dash_calls.page_container(layout.json)
            store = container["_pages_store"].get("data") or {}
            assert store.get("title") != title, what + " in the first layout"
            page = visitor.request("GET", variant)
            assert page.status_code in (403, 404) or title not in page.get_data(
                as_text=True
            ), what + " in the page HTML"
            checked += 1
    assert checked >= 2 * len(path_variants("/x"))


def test_path_variants_keep_the_role_for_those_allowed(app, world, visitors):
    """The other side: an admin still reaches the page by the spellings the router accepts."""
    visitor = visitors["admin"]
    for path, title in pages_above(world, "viewer"):
        for variant in (f"//{path.strip('/')}", f"{path}/", f"{path}//"):
            body = dash_calls.payload(
                app,
                ROUTER,
                {"_pages_location.pathname": variant, "_pages_location.search": ""},
            )
            routed = visitor.request("POST", CALLBACK_PATH, json=body)
            assert routed.status_code == 200, variant
            assert routed.json["response"]["_pages_store"]["data"]["title"] == title
