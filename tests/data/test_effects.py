"""data/effects.py: the table lists every listener the write path installs, and installs them."""

from __future__ import annotations

import ast
from pathlib import Path

import sqlalchemy as sa

from data import effects
from data.db import get_database

ROOT = Path(__file__).resolve().parents[2]
# Engine instrumentation and a bulk loader's one-shot commit listener (see effects' docstring).
NOT_COMMIT_EFFECTS = {"data/db.py": 3, "data/cache.py": 1}


def test_every_row_of_the_table_is_registered(app):
    with app.server.app_context():
        app_sessionmaker = get_database().sessionmaker
    for effect in effects.EFFECTS:
        target = effects.target_of(effect, app_sessionmaker)
        assert sa.event.contains(target, effect.event, effect.function), effect.what


def _listen_calls(path: Path) -> int:
    count = 0
    for node in ast.walk(ast.parse(path.read_text())):
        func = node.func if isinstance(node, ast.Call) else None
        if isinstance(func, ast.Attribute) and func.attr in ("listen", "listens_for"):
            count += 1
    return count


def test_no_listener_is_registered_outside_the_table():
    found = {}
    for package in ("data", "auth", "api", "exports", "web", "pages", "shell"):
        for path in (ROOT / package).rglob("*.py"):
            name = str(path.relative_to(ROOT))
            if name != "data/effects.py" and _listen_calls(path):
                found[name] = _listen_calls(path)
    assert found == NOT_COMMIT_EFFECTS


def test_users_changed_subscribers_hear_a_users_write(app):
    heard = []
    effects.on_users_changed(lambda: heard.append(True))
    try:
        with app.server.app_context():
            engine = get_database().engine
            with engine.begin() as conn:
                conn.execute(
                    sa.update(sa.table("users", sa.column("id")))
                    .where(sa.column("id") == -1)
                    .values(id=-1)
                )
        assert heard
    finally:
        effects._users_changed_subscribers.pop()
