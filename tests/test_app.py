"""The factory builds a working app: sign-in, the overview callback, health."""

from __future__ import annotations

import json


def overview_payload(start: str, end: str, platforms=None) -> dict:
    ids = [
        "overview-kpis.children",
        "overview-trend.figure",
        "overview-breakdown.figure",
        "overview-message.children",
        "overview-exports.children",
    ]
    values = [
        ("overview-dates", "start_date", start),
        ("overview-dates", "end_date", end),
        ("overview-platforms", "value", platforms or []),
        ("overview-granularity", "value", "day"),
        ("overview-refresh-timer", "n_intervals", None),
        ("shell-live-data", "data", None),
        ("shell-theme", "data", "light"),
    ]
    return {
        "output": ".." + "...".join(ids) + "..",
        "outputs": [{"id": i.split(".")[0], "property": i.split(".")[1]} for i in ids],
        "inputs": [{"id": c, "property": p, "value": v} for c, p, v in values],
        "changedPropIds": [],
        "state": [],
    }


def test_health_is_public(app):
    client = app.server.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").json == {"status": "ready"}


def test_overview_callback_returns_golden_revenue(client_for):
    client = client_for("acme", "viewer")
    response = client.post(
        "/_dash-update-component",
        json=overview_payload("2026-10-19", "2026-11-01"),
        headers={"X-CSRFToken": client.get_cookie("_csrf_token").value},
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = json.dumps(response.json)
    assert "$3,021.95" in body and "$6,946.12" in body
    trend = response.json["response"]["overview-trend"]["figure"]
    assert len(trend["data"][0]["x"]) == 14
