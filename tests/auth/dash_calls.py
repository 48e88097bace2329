"""Dash callback requests built from an app's own callback map, shaped as the renderer sends them."""

from __future__ import annotations

import json


def output_specs(key: str) -> list[dict]:
    """[{"id", "property"}] for each output named by a callback-map key ("..a.b...c.d..")."""
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    specs = []
    for part in parts:
        component, _, prop = part.rpartition(".")
        if component.startswith("{"):
            component = json.loads(component)
        specs.append({"id": component, "property": prop.split("@")[0]})
    return specs


def server_callbacks(app) -> list[str]:
    """Keys of the callbacks that run on the server (client-side ones never reach it)."""
    return sorted(key for key, spec in app.callback_map.items() if "callback" in spec)


def callback_key(app, output_id: str) -> str:
    """The key of the one server callback whose outputs include ``output_id``."""
    keys = [
        key
        for key in server_callbacks(app)
        if any(spec["id"] == output_id for spec in output_specs(key))
    ]
    assert len(keys) == 1, f"{len(keys)} callbacks write {output_id}: {keys}"
    return keys[0]


def payload(app, key: str, values: dict | None = None) -> dict:
    """The request body for callback ``key``; ``values`` maps "id.property" to a value."""
    values = values or {}
    spec = app.callback_map[key]

    def fill(items):
        filled = []
        for item in items:
            component = item["id"]
            if component.startswith("{"):
                # A pattern: ALL matches no component here (an empty list); MATCH one with index 1.
                pattern = json.loads(component)
                if any(v in (["ALL"], ["ALLSMALLER"]) for v in pattern.values()):
                    filled.append([])
                    continue
                component = {k: 1 if v == ["MATCH"] else v for k, v in pattern.items()}
            value = values.get(f"{item['id']}.{item['property']}")
            filled.append(
                {"id": component, "property": item["property"], "value": value}
            )
        return filled

    outputs = output_specs(key)
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": fill(spec["inputs"]),
        "state": fill(spec["state"]),
        "changedPropIds": [f"{i['id']}.{i['property']}" for i in spec["inputs"]][:1],
    }


def csrf_headers(client) -> dict:
    token = client.get_cookie("_csrf_token")
    return {"X-CSRFToken": token.value} if token else {}


def post(client, body: dict, csrf: bool = True, headers: dict | None = None):
    """POST a callback body, with the CSRF header the renderer would send (unless ``csrf`` is off)."""
    headers = {**(csrf_headers(client) if csrf else {}), **(headers or {})}
    return client.post("/_dash-update-component", json=body, headers=headers)


def call(app, client, output_id: str, values: dict | None = None, **kwargs):
    """Call the callback that writes ``output_id`` with ``values``; returns the response."""
    return post(client, payload(app, callback_key(app, output_id), values), **kwargs)


def triggered(app, output_id: str, trigger: str, values: dict | None = None) -> dict:
    """A body for the callback writing ``output_id`` as if ``trigger`` ("id.prop") had changed."""
    body = payload(app, callback_key(app, output_id), values)
    body["changedPropIds"] = [trigger]
    return body


def response_of(response, output_id: str, prop: str):
    """The value a callback response sets on ``output_id``'s ``prop``."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.json["response"][output_id][prop]


ROUTER = ".._pages_content.children..._pages_store.data.."


def page_paths(world) -> list[tuple[str, str]]:
    """(path, min_role) of every registered page, templates filled with an acme campaign."""
    import re

    import dash

    pages = []
    for page in dash.page_registry.values():
        template = page.get("path_template") or page["path"]
        path = re.sub(r"<[^>]+>", str(world["campaigns"]["1"]), template)
        pages.append((path, page.get("min_role", "viewer")))
    return pages


def components(node):
    """The props of every component in a serialized layout (``{"props": ...}`` trees)."""
    if isinstance(node, list):
        for item in node:
            yield from components(item)
    elif isinstance(node, dict):
        props = node.get("props", {})
        yield props
        yield from components(props.get("children"))


def layout_values(app, client, paths) -> dict:
    """ "id.prop" -> the value each page's layout starts with, as ``client`` is shown the pages."""
    client.get("/")  # Dash registers its page router at the first request
    values = {"shell-theme.data": "light"}
    for path in paths:
        response = post(
            client, payload(app, ROUTER, {"_pages_location.pathname": path})
        )
        if response.status_code != 200:
            continue
        for props in components(
            response.json["response"]["_pages_content"]["children"]
        ):
            if isinstance(props.get("id"), str):
                for prop, value in props.items():
                    values.setdefault(f"{props['id']}.{prop}", value)
    return values


def page_container(layout: dict) -> dict:
    """id -> props of the page container's parts (location, content, store) in a served layout."""
    parts = ("_pages_location", "_pages_content", "_pages_store")
    return {p["id"]: p for p in components(layout) if p.get("id") in parts}


def rendered_pages(app, client, world) -> dict[str, object]:
    """path -> the serialized layout the router renders for ``client`` on each page it may open."""
    client.get("/")  # Dash registers its page router at the first request
    rendered = {}
    for path, _role in page_paths(world):
        response = post(
            client,
            payload(
                app,
                ROUTER,
                {"_pages_location.pathname": path, "_pages_location.search": ""},
            ),
        )
        if response.status_code != 200:
            continue
        rendered[path] = response.json["response"]["_pages_content"]["children"]
    return rendered
