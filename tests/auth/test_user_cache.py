"""The per-process copy of session users: used only while it can hear of every change."""

from __future__ import annotations

import time
from typing import ClassVar

import pytest
import redis
import sqlalchemy as sa

from auth.user_cache import UserCache
from data.db import make_engine
from data.models import User
from tests.auth import dash_calls
from tests.auth.support import sign_in
from tests.auth.user_cache_support import cached_app
from tests.factories import app_config
from tests.statements import statements_sent


@pytest.fixture
def app(world_url):
    url, _world = world_url
    app = cached_app(url)
    yield app
    app.server.extensions["kiki_db"].engine.dispose()


def user_reads(app, client) -> int:
    """How many statements one signed-in callback ran against the users table."""
    engine = app.server.extensions["kiki_db"].engine
    with statements_sent(engine, keep=lambda s: "FROM users" in s) as seen:
        response = dash_calls.call(app, client, "profile-details")
        assert response.status_code in (200, 401)
    return len(seen)


def alive(app, client) -> bool:
    return dash_calls.call(app, client, "profile-details").status_code == 200


def test_a_busy_session_reads_its_user_once(app, world):
    client = sign_in(app, world["users"][("acme", "viewer")])
    user_reads(app, client)
    assert [user_reads(app, client) for _ in range(3)] == [0, 0, 0]


def test_without_redis_every_request_reads_its_user(world_url, world):
    from app import create_app

    app = create_app(app_config(world_url[0]))
    client = sign_in(app, world["users"][("acme", "viewer")])
    assert [user_reads(app, client) for _ in range(3)] == [1, 1, 1]
    app.server.extensions["kiki_db"].engine.dispose()


def test_while_redis_cannot_be_reached_every_request_reads_its_user(world_url, world):
    from app import create_app

    app = create_app(app_config(world_url[0], REDIS_URL="redis://127.0.0.1:9/0"))
    assert not app.server.extensions["kiki_user_cache"].usable
    client = app.server.test_client()  # rate limits fall back to memory, too
    from tests.factories import login

    assert login(client, world["users"][("acme", "viewer")]).status_code == 302
    assert [user_reads(app, client) for _ in range(2)] == [1, 1]
    app.server.extensions["kiki_db"].engine.dispose()


def test_a_core_update_from_any_engine_ends_the_session_at_once(app, members):
    member = members("acme", "viewer")
    client = sign_in(app, member.email)
    assert alive(app, client) and user_reads(app, client) == 0
    engine = make_engine(
        app.server.config["DATABASE_URL"]
    )  # another engine, as a script
    with engine.begin() as conn:
        conn.execute(
            sa.update(User)
            .where(User.id == member.id)
            .values(session_epoch=User.session_epoch + 1)
        )
    engine.dispose()
    assert not alive(app, client)


def test_a_change_announced_by_another_process_clears_the_copies(app, members):
    member = members("acme", "viewer")
    client = sign_in(app, member.email)
    assert alive(app, client) and user_reads(app, client) == 0
    # A write this process cannot see (plain SQL text), then the announcement another
    # process's write would make: the copy must go.
    engine = make_engine(app.server.config["DATABASE_URL"])
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"UPDATE users SET is_active = false WHERE id = {int(member.id)}"
        )
    engine.dispose()
    assert alive(app, client)  # still the copy: nothing announced the change yet
    channel = app.server.config["CACHE_KEY_PREFIX"] + "session-users"
    redis.Redis.from_url(app.server.config["REDIS_URL"]).publish(channel, b"*")
    deadline = time.monotonic() + 5
    while alive(app, client):
        assert time.monotonic() < deadline, "the announcement never cleared the copy"
        time.sleep(0.02)


def test_a_read_that_raced_with_a_change_is_not_kept():
    class AlwaysSubscribed:
        caches: ClassVar[set] = set()

        def subscribed(self) -> bool:
            return True

    cache = UserCache(AlwaysSubscribed())
    reads = []

    def read_during_a_change(user_id):
        reads.append(user_id)
        cache.clear()  # a change committed while this read was in flight
        return "old row"

    assert cache.load(7, read_during_a_change) == "old row"
    assert cache.load(7, lambda _id: "new row") == "new row"
    assert cache.load(7, lambda _id: "never read") == "new row"
    assert reads == [7]


def test_copies_expire(monkeypatch):
    class AlwaysSubscribed:
        caches: ClassVar[set] = set()

        def subscribed(self) -> bool:
            return True

    cache = UserCache(AlwaysSubscribed())
    assert cache.load(1, lambda _id: "first") == "first"
    monkeypatch.setattr("auth.user_cache.TTL_SECONDS", 0.0)
    assert cache.load(1, lambda _id: "second") == "second"
