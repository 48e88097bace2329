"""Every chart of every page keeps its data here: no Plotly Cloud / Chart Studio in any toolbar."""

from __future__ import annotations

from tests.auth import dash_calls

CLOUD_BUTTONS = {"sendDataToCloud", "editInChartStudio"}


def graphs(app, world, client):
    pages = dash_calls.rendered_pages(app, client, world)
    return [
        (path, props)
        for path, layout in pages.items()
        for props in dash_calls.components(layout)
        if "figure" in props or "config" in props
    ]


def test_no_chart_offers_plotly_cloud(app, world, client_for):
    found = graphs(app, world, client_for("acme", "admin"))
    assert len(found) >= 3, "expected charts on the overview and campaign pages"
    for path, props in found:
        what = f"{path} #{props.get('id')}"
        config = props.get("config") or {}
        assert config.get("showSendToCloud") is False, what
        assert config.get("showEditInChartStudio") is False, what
        assert config.get("showLink") is False, what
        assert not config.get("plotlyServerURL"), what
        assert CLOUD_BUTTONS <= set(config.get("modeBarButtonsToRemove", [])), what
        # The local image download stays, for every role (docs/SECURITY.md).
        assert "toImage" not in config.get("modeBarButtonsToRemove", []), what
        assert config.get("displayModeBar", True) is not False, what


def test_viewers_see_the_same_toolbar(app, world, client_for):
    admin = {
        (p, g.get("id")): g["config"]
        for p, g in graphs(app, world, client_for("acme", "admin"))
    }
    viewer = {
        (p, g.get("id")): g["config"]
        for p, g in graphs(app, world, client_for("acme", "viewer"))
        if p in {path for path, _ in admin}
    }
    assert viewer and all(admin[key] == config for key, config in viewer.items())
