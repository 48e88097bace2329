"""Apps with chosen settings, signed-in clients and Dash callback calls, for tests of any package."""

from __future__ import annotations

from tests.factories import app_config, login

# The overview's KPI callback inputs over the golden data's last two weeks (KIKI_TODAY 2026-11-01).
OVERVIEW_INPUTS = {
    "overview-dates.start_date": "2026-10-19",
    "overview-dates.end_date": "2026-11-01",
    "overview-platforms.value": [],
    "overview-granularity.value": "day",
    "shell-theme.data": "light",
}


def callback_payload(key: str, spec: dict, values: dict, changed=None) -> dict:
    """The body Dash's renderer posts for the callback ``key`` (its inputs and state from
    ``spec``, a callback_map or /_dash-dependencies entry) with ``values`` filled in."""
    outputs = []
    for part in key.strip(".").split("..."):
        component, prop = part.split(".", 1)
        outputs.append({"id": component, "property": prop.split("@")[0]})

    def fill(items):
        return [
            {**item, "value": values.get(f"{item['id']}.{item['property']}")}
            for item in items
        ]

    return {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": fill(spec["inputs"]),
        "state": fill(spec["state"]),
        "changedPropIds": changed
        or [f"{i['id']}.{i['property']}" for i in spec["inputs"]],
    }


def make_app(url: str, **overrides):
    from app import create_app

    return create_app(app_config(url, **overrides))


def signed_in(app, slug: str, role: str):
    client = app.server.test_client()
    response = login(client, f"{role}@{slug}.test")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def call_callback(app, client, output_id: str, values: dict, changed=None):
    """POST the callback whose outputs include ``output_id`` the way Dash's renderer does;
    ``values`` maps "id.property" to the value of each input and state; ``changed`` lists the
    "id.property" that triggered it (default: every input)."""
    key = next(k for k in app.callback_map if f"{output_id}." in k)
    payload = callback_payload(key, app.callback_map[key], values, changed)
    token = client.get_cookie("_csrf_token")
    headers = {"X-CSRFToken": token.value} if token else {}
    return client.post("/_dash-update-component", json=payload, headers=headers)
