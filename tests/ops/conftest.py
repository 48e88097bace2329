"""Fixtures for the operations tests: private worlds, apps with chosen settings, callback calls."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from data.db import make_engine
from tests.conftest import BACKENDS
from tests.factories import app_config, build_world, login
from tests.services import create_database, dispose_database


@pytest.fixture(params=BACKENDS)
def fresh_url(request, tmp_path):
    """A migrated, empty database of each backend, for one test."""
    url = create_database(request.param, tmp_path)
    yield url
    dispose_database(url)


@pytest.fixture(scope="module", params=BACKENDS)
def ops_world(request, tmp_path_factory):
    """(url, world): the golden data and users of every role, private to one test module."""
    url = create_database(request.param, tmp_path_factory.mktemp("ops"))
    engine = make_engine(url)
    with Session(engine) as session:
        world = build_world(session)
    engine.dispose()
    yield url, world
    dispose_database(url)


def make_app(url: str, **overrides):
    from app import create_app

    return create_app(app_config(url, **overrides))


def signed_in(app, slug: str, role: str):
    client = app.server.test_client()
    response = login(client, f"{role}@{slug}.test")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def call_callback(app, client, output_id: str, values: dict):
    """POST the callback whose outputs include ``output_id`` the way Dash's renderer does;
    ``values`` maps "id.property" to the value of each input and state."""
    key = next(k for k in app.callback_map if f"{output_id}." in k)
    spec = app.callback_map[key]
    outputs = []
    for part in key.strip(".").split("..."):
        component, prop = part.split(".", 1)
        outputs.append({"id": component, "property": prop.split("@")[0]})

    def fill(items):
        return [
            {**item, "value": values.get(f"{item['id']}.{item['property']}")}
            for item in items
        ]

    payload = {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": fill(spec["inputs"]),
        "state": fill(spec["state"]),
        "changedPropIds": [f"{i['id']}.{i['property']}" for i in spec["inputs"]],
    }
    token = client.get_cookie("_csrf_token")
    headers = {"X-CSRFToken": token.value} if token else {}
    return client.post("/_dash-update-component", json=payload, headers=headers)
