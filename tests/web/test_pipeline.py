"""The request hooks run in the order web/pipeline.py writes down, and nothing else registers any."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Flask

from web import pipeline

ROOT = Path(__file__).resolve().parents[2]
APP_PACKAGES = ("api", "auth", "components", "data", "exports", "pages", "shell", "web")
REGISTERING = {"before_request", "after_request", "teardown_request"}
HOOK_LISTS = {"before_request_funcs", "after_request_funcs"}


def names(hooks) -> list[str]:
    return [pipeline.hook_name(hook) for hook in hooks]


def test_before_request_hooks_run_in_the_documented_order(app):
    registered = app.server.before_request_funcs[None]
    assert names(registered) == [hook.name for hook in pipeline.BEFORE_REQUEST]


def test_after_request_hooks_run_in_the_documented_order(app):
    run_order = app.server.after_request_funcs[None][::-1]  # Flask runs them last first
    assert names(run_order) == [hook.name for hook in pipeline.AFTER_REQUEST]
    for blueprint, table in pipeline.BLUEPRINT_AFTER_REQUEST.items():
        run_order = app.server.after_request_funcs[blueprint][::-1]
        assert names(run_order) == [hook.name for hook in table]


def test_a_hook_with_no_place_in_the_tables_stops_the_start():
    server = Flask(__name__)

    @server.before_request
    def stray():
        return None

    with pytest.raises(RuntimeError, match="stray"):
        pipeline.init_app(server)


def _registrations(path: Path) -> list[str]:
    """Where a module registers a request hook itself (a call, a decorator, the hook lists)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Attribute) and (
            node.attr in REGISTERING or node.attr in HOOK_LISTS
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    return found


def test_only_the_pipeline_registers_request_hooks():
    modules = [ROOT / "app.py"]
    for package in APP_PACKAGES:
        modules += sorted((ROOT / package).rglob("*.py"))
    found = [
        place
        for path in modules
        if path != ROOT / "web" / "pipeline.py"
        for place in _registrations(path)
    ]
    assert found == []
