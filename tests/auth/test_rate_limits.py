"""Rate limits and lockout, on Redis and on the in-memory fallback; Redis down never stops sign-in."""

from __future__ import annotations

import uuid

import pytest
import redis

from tests.auth import dash_calls
from tests.auth.support import member_factory, update_user, user_row
from tests.factories import PASSWORD, app_config, login
from tests.services import redis_url

UNREACHABLE_REDIS = "redis://127.0.0.1:6390/0"  # nothing listens there


def make_app(url: str, **overrides):
    from app import create_app

    return create_app(app_config(url, **overrides))


@pytest.fixture(scope="module", params=["memory", "redis"])
def limited_app(request, world_url):
    """The world app with its rate limits stored in memory or in the test Redis."""
    url, _world = world_url
    if request.param == "memory":
        return make_app(url)
    return make_app(url, REDIS_URL=redis_url())


@pytest.fixture
def members(limited_app, world):
    yield from member_factory(limited_app, world)


def visitor(app, ip: str | None = None):
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = (
        ip or f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    )
    return client


def attempt(client, email: str, password: str = "wrong password, sorry"):
    return login(client, email, password)


def assert_too_many(response) -> int:
    assert response.status_code == 429, response.get_data(as_text=True)[:300]
    seconds = int(response.headers["Retry-After"])
    assert 0 < seconds <= 15 * 60
    assert "Too many failed sign-in attempts. Try again in" in response.get_data(
        as_text=True
    )
    assert 'id="login-submit"' in response.get_data(
        as_text=True
    )  # the form, not an error page
    return seconds


def test_an_account_is_limited_whether_or_not_it_exists(limited_app, members):
    member = members("acme", "viewer")
    unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.test"
    answers = {}
    for email in (member.email, unknown):
        client = visitor(limited_app)
        statuses = [attempt(client, email).status_code for _ in range(5)]
        assert statuses == [401] * 5
        answers[email] = attempt(client, email)
        assert_too_many(answers[email])
    # The two answers cannot be told apart (apart from the seconds ticking).
    texts = [r.get_data(as_text=True).split("Try again")[0] for r in answers.values()]
    assert texts[0] == texts[1]
    # The real account is locked in the database too: even the right password waits.
    assert user_row(limited_app, member.id)["locked_until"] is not None
    assert_too_many(attempt(visitor(limited_app), member.email, PASSWORD))


def test_a_database_lockout_answers_like_the_limit(limited_app, world_url, members):
    """Another worker (a fresh limiter) that never saw the failures still refuses the locked account."""
    member = members("acme", "viewer")
    client = visitor(limited_app)
    for _ in range(5):
        attempt(client, member.email)
    fresh = make_app(world_url[0])  # its own in-memory limiter: only the database knows
    assert_too_many(attempt(visitor(fresh), member.email, PASSWORD))


def test_an_address_is_limited_across_accounts(limited_app):
    ip = f"192.0.2.{uuid.uuid4().int % 250 + 1}"
    client = visitor(limited_app, ip)
    emails = [f"spray-{i}-{uuid.uuid4().hex[:6]}@example.test" for i in range(11)]
    statuses = [attempt(client, email).status_code for email in emails[:10]]
    assert statuses == [401] * 10
    assert_too_many(attempt(client, emails[10]))
    # Another address is not affected.
    assert attempt(visitor(limited_app), emails[10]).status_code == 401


def test_successful_sign_ins_do_not_count(limited_app, members):
    member = members("acme", "viewer")
    client = visitor(limited_app)
    ip = client.environ_base["REMOTE_ADDR"]
    for _ in range(12):
        again = visitor(limited_app, ip)
        assert login(again, member.email).status_code == 302
    assert attempt(client, member.email).status_code == 401  # the budget is untouched


def test_limits_live_in_redis_when_configured(world_url):
    app = make_app(world_url[0], REDIS_URL=redis_url())
    attempt(visitor(app), f"probe-{uuid.uuid4().hex[:6]}@example.test")
    prefix = app.server.config["RATELIMIT_KEY_PREFIX"]
    keys = redis.Redis.from_url(redis_url()).keys(f"*{prefix}*")
    # The account's failure count (auth/account_lock.py, every door's one counter) and the
    # address's; a lock itself is a database row (sign_in_locks), not a Redis key.
    assert any(b"account-failures" in key for key in keys)
    assert any(b"login-ip" in key for key in keys)


@pytest.fixture(scope="module", params=["memory", "redis"])
def tight_app(request, world_url):
    """An app whose per-user default is 5 a minute, to see the limit and its answer."""
    url, _ = world_url
    extra = {"REDIS_URL": redis_url()} if request.param == "redis" else {}
    return make_app(url, RATELIMIT_USER_DEFAULT="5 per minute", **extra)


@pytest.fixture
def tight_members(tight_app, world):
    yield from member_factory(tight_app, world)


def test_callbacks_over_the_default_get_json_with_retry_after(tight_app, tight_members):
    client = tight_app.server.test_client()
    assert login(client, tight_members("acme", "viewer").email).status_code == 302
    responses = [
        dash_calls.call(tight_app, client, "profile-details") for _ in range(6)
    ]
    assert [r.status_code for r in responses[:4]] == [
        200
    ] * 4  # sign-in redirect used one
    limited = next(r for r in responses if r.status_code == 429)
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.json["error"]["code"] == "rate_limited"
    assert "Try again in" in limited.json["error"]["message"]
    assert limited.headers["X-RateLimit-Limit"] == "5"


def test_the_production_default_lets_a_busy_page_through(limited_app, members):
    client = limited_app.server.test_client()
    assert login(client, members("acme", "viewer").email).status_code == 302
    statuses = {
        dash_calls.call(limited_app, client, "profile-details").status_code
        for _ in range(250)
    }
    assert statuses == {200}


def test_exports_are_limited(limited_app, members):
    client = limited_app.server.test_client()
    assert login(client, members("acme", "admin").email).status_code == 302
    statuses = [
        client.get("/export/audit.csv?start=2026-01-01&end=2026-01-02").status_code
        for _ in range(31)
    ]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429


@pytest.fixture(scope="module")
def redis_down_app(world_url):
    return make_app(world_url[0], REDIS_URL=UNREACHABLE_REDIS)


@pytest.fixture
def down_members(redis_down_app, world):
    yield from member_factory(redis_down_app, world)


def test_with_redis_unreachable_sign_in_still_works_and_is_still_limited(
    redis_down_app, down_members
):
    member = down_members("acme", "admin")
    client = visitor(redis_down_app)
    assert login(client, member.email).status_code == 302
    assert dash_calls.call(redis_down_app, client, "profile-details").status_code == 200
    assert client.get("/settings").status_code == 200
    # The in-memory fallback keeps counting failures.
    other = visitor(redis_down_app)
    unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.test"
    assert [attempt(other, unknown).status_code for _ in range(5)] == [401] * 5
    assert_too_many(attempt(other, unknown))


def test_a_lockout_expires(limited_app, members):
    import datetime as dt

    member = members("acme", "viewer")
    update_user(
        limited_app,
        member.id,
        locked_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1),
        failed_logins=0,
    )
    assert login(visitor(limited_app), member.email).status_code == 302
