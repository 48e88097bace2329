"""Cached repository reads: hits, keys scoped by organization and role, invalidation, and pages
that keep answering when Redis stops or black-holes."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from decimal import Decimal

import pytest

from data.db import get_database
from data.filters import DateRange
from data.models import Organization
from data.ops.rollups import refresh_rollups
from data.reads.overview import kpi_summary
from data.scope import Scope
from data.writes.organizations import set_fee_rate
from tests.apps import OVERVIEW_INPUTS, call_callback, make_app, signed_in
from tests.redis_server import black_hole, private_redis
from tests.statements import statements_sent

RNG = DateRange(dt.date(2026, 10, 19), dt.date(2026, 11, 1))
OVERVIEW = OVERVIEW_INPUTS


def _read(app, scope: Scope, *args):
    """kpi_summary inside the app (cached), and how many statements it sent."""
    with app.server.app_context():
        database = get_database()
        with (
            database.session_scope() as session,
            statements_sent(database.engine) as seen,
        ):
            frame = kpi_summary(session, scope, *args)
        return frame.set_index("period").loc["current"], len(seen)


def _uncached(app, scope: Scope, *args):
    with app.server.app_context(), get_database().session_scope() as session:
        return (
            kpi_summary.uncached(session, scope, *args)
            .set_index("period")
            .loc["current"]
        )


@pytest.fixture(scope="module", params=["memory", "redis"])
def cached_app(request, ops_world):
    url, world = ops_world
    if request.param == "memory":
        yield make_app(url), world
        return
    with private_redis() as (redis_url, _process):
        yield make_app(url, REDIS_URL=redis_url), world


def test_second_read_is_a_hit_and_equals_the_database(cached_app):
    app, world = cached_app
    scope = Scope(world["orgs"]["acme"], "viewer")
    first, first_queries = _read(app, scope, RNG)
    second, second_queries = _read(app, scope, RNG)
    assert first_queries > 0 and second_queries == 0
    assert second.equals(first) and second.equals(_uncached(app, scope, RNG))
    _other_filter, queries = _read(
        app, scope, RNG, ("meta",)
    )  # every filter is in the key
    assert queries > 0


def test_keys_are_scoped_by_organization_and_role(cached_app):
    app, world = cached_app
    acme, globex = world["orgs"]["acme"], world["orgs"]["globex"]
    _read(app, Scope(acme, "viewer"), RNG)
    theirs, queries = _read(app, Scope(globex, "viewer"), RNG)
    assert queries > 0  # not served from acme's entry
    assert theirs.equals(_uncached(app, Scope(globex, "viewer"), RNG))
    assert theirs["revenue"] != _uncached(app, Scope(acme, "viewer"), RNG)["revenue"]
    _as_analyst, queries = _read(app, Scope(acme, "analyst"), RNG)
    assert queries > 0


def test_a_fee_change_or_a_rollup_refresh_expires_the_organization(cached_app):
    app, world = cached_app
    acme, globex = world["orgs"]["acme"], world["orgs"]["globex"]
    admin = Scope(acme, "admin")
    before, _ = _read(app, Scope(acme, "viewer"), RNG)
    _read(app, Scope(globex, "viewer"), RNG)
    with app.server.app_context(), get_database().session_scope() as session:
        old = session.get(Organization, acme).fee_rate
        set_fee_rate(session, admin, "33.5", effective_from=RNG.start)
    after, queries = _read(app, Scope(acme, "viewer"), RNG)
    assert queries > 0 and after["fee"] == before["revenue"] * Decimal("0.335")
    _, queries = _read(app, Scope(globex, "viewer"), RNG)
    assert queries == 0  # the other organization's entries survive
    with app.server.app_context(), get_database().session_scope() as session:
        refresh_rollups(session, globex)
    _, queries = _read(app, Scope(globex, "viewer"), RNG)
    assert queries > 0
    with app.server.app_context(), get_database().session_scope() as session:
        set_fee_rate(session, admin, Decimal(old) * 100, effective_from=RNG.start)


def test_an_uncommitted_write_neither_reads_nor_fills_the_cache(cached_app):
    app, world = cached_app
    acme = world["orgs"]["acme"]
    viewer = Scope(acme, "viewer")
    before, _ = _read(app, viewer, RNG)
    with app.server.app_context():
        session = get_database().sessionmaker()
        set_fee_rate(session, Scope(acme, "admin"), "99", effective_from=RNG.start)
        inside = kpi_summary(session, viewer, RNG).set_index("period").loc["current"]
        assert inside["fee"] == inside["revenue"] * Decimal("0.99")
        session.rollback()
        session.close()
    after, queries = _read(app, viewer, RNG)
    assert after["fee"] == before["fee"] and queries == 0


def _overview(app, client):
    response = call_callback(app, client, "overview-kpis", OVERVIEW)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.json)


def test_pages_keep_answering_when_redis_stops_mid_run(ops_world, caplog):
    url, _world = ops_world
    with private_redis() as (redis_url, process):
        app = make_app(url, REDIS_URL=redis_url)
        client = signed_in(app, "acme", "viewer")
        answer = _overview(app, client)
        assert "$3,021.95" in answer
        import redis

        assert redis.Redis.from_url(redis_url).keys(
            "kiki-test-*response:*"
        )  # cached in Redis
        process.kill()
        process.wait()
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="data.cache"):
            for _ in range(4):
                assert _overview(app, client) == answer
            campaigns = call_callback(app, client, "campaigns-table", {})
            assert campaigns.status_code == 200
        outage = [r for r in caplog.records if "cache unavailable" in r.getMessage()]
        assert len(outage) == 1


def test_pages_keep_answering_when_redis_is_black_holed(ops_world, caplog):
    url, _world = ops_world
    with private_redis() as (redis_url, _process):
        client_app = make_app(url, REDIS_URL=redis_url)
        client = signed_in(client_app, "acme", "viewer")  # sign in while Redis is up
        expected = _overview(client_app, client)
    with black_hole() as hole:
        app = make_app(url, REDIS_URL=hole, SECRET_KEY=client_app.server.secret_key)
        with caplog.at_level(logging.WARNING, logger="data.cache"):
            started = time.monotonic()
            for _ in range(5):
                assert _overview(app, client) == expected
            elapsed = time.monotonic() - started
    outage = [r for r in caplog.records if "cache unavailable" in r.getMessage()]
    assert len(outage) == 1
    # One socket timeout (0.5 s) opens the breaker; later requests skip the cache at once.
    assert elapsed < 5, f"{elapsed:.1f} s for five overview refreshes"
