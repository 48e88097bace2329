"""Surviving the outside world: a PostgreSQL restart under a running app, and several app
processes sharing one Redis (rate limits, cache) and one secret (sessions)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.db import get_database, make_engine
from data.models import Organization
from data.ops.migrate import upgrade_to_head
from data.reads.overview import kpi_summary
from data.scope import Scope
from data.writes.organizations import set_fee_rate
from tests.apps import call_callback, make_app, signed_in
from tests.data.test_cache import OVERVIEW, RNG
from tests.factories import build_world, csrf_token
from tests.redis_server import free_port, private_redis
from tests.services import unavailable
from tests.statements import statements_sent

PG_BIN = "/usr/lib/postgresql/15/bin"


def _as_postgres(*command: str) -> None:
    subprocess.run(
        ["runuser", "-u", "postgres", "--", *command],
        check=True,
        capture_output=True,
        timeout=120,
    )


@contextmanager
def private_postgres():
    """A throwaway PostgreSQL cluster on a free port; yields (url, restart)."""
    if shutil.which("runuser") is None or not os.path.exists(f"{PG_BIN}/initdb"):
        unavailable("PostgreSQL server binaries", FileNotFoundError(PG_BIN))
    directory = tempfile.mkdtemp(prefix="kiki-pg-")
    shutil.chown(directory, "postgres", "postgres")
    port = free_port()
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off"
    ctl = [f"{PG_BIN}/pg_ctl", "-D", f"{directory}/data", "-o", options, "-w"]
    ctl += ["-l", f"{directory}/log"]  # the server must not hold our pipes open
    try:
        _as_postgres(
            f"{PG_BIN}/initdb",
            "-D",
            f"{directory}/data",
            "-A",
            "trust",
            "-U",
            "postgres",
        )
        _as_postgres(*ctl, "start")
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(directory, ignore_errors=True)
        unavailable("a private PostgreSQL cluster", exc)
    try:
        yield (
            f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres",
            lambda: _as_postgres(*ctl, "-m", "fast", "restart"),
        )
    finally:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *ctl, "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(directory, ignore_errors=True)


def _postmaster_start(url: str):
    engine = make_engine(url)
    with engine.connect() as conn:
        started = conn.scalar(sa.text("SELECT pg_postmaster_start_time()"))
    engine.dispose()
    return started


def test_postgresql_restart_under_a_running_app(tmp_path):
    with private_postgres() as (url, restart):
        upgrade_to_head(url)
        engine = make_engine(url)
        with Session(engine) as session:
            world = build_world(session)
        engine.dispose()
        app = make_app(url, DB_POOL_SIZE=2)
        admin = signed_in(app, "acme", "admin")
        saved = call_callback(
            app,
            admin,
            "org-fee-message",
            {
                "org-fee-save.n_clicks": 1,
                "org-fee.value": "12.5",
                "org-changed.data": 0,
            },
        )
        assert saved.status_code == 200 and "Fee rate saved" in saved.get_data(
            as_text=True
        )
        assert call_callback(app, admin, "overview-kpis", OVERVIEW).status_code == 200
        started = _postmaster_start(url)
        restart()  # every pooled connection is now dead
        assert _postmaster_start(url) > started
        after = call_callback(app, admin, "overview-kpis", OVERVIEW)
        assert after.status_code == 200, after.get_data(as_text=True)[:300]
        assert "$3,021.95" in after.get_data(as_text=True)
        check = make_engine(url)
        with Session(check) as session:
            org = session.get(Organization, world["orgs"]["acme"])
            assert org.fee_rate == Decimal(
                "0.1250"
            )  # committed before the restart: kept
        check.dispose()


@pytest.fixture
def twin_apps(ops_world):
    """Two app instances (as two processes would be) sharing one private Redis and the secret."""
    url, world = ops_world
    with private_redis() as (redis_url, _process):
        shared = {
            "REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": "kiki-twins:",
            "RATELIMIT_KEY_PREFIX": "kiki-twins",
        }
        yield make_app(url, **shared), make_app(url, **shared), world


def test_a_session_from_one_instance_is_valid_on_the_other(twin_apps):
    first, second, _world = twin_apps
    client = signed_in(first, "acme", "viewer")
    cookie = client.get_cookie("kiki_session")
    other = second.server.test_client()
    other.set_cookie(cookie.key, cookie.value)
    assert other.get("/").status_code == 200
    other.set_cookie("_csrf_token", client.get_cookie("_csrf_token").value)
    response = call_callback(second, other, "overview-kpis", OVERVIEW)
    assert response.status_code == 200 and "$3,021.95" in response.get_data(
        as_text=True
    )


def test_rate_limits_are_shared(twin_apps):
    first, second, _world = twin_apps
    statuses = []
    for n in range(
        11
    ):  # the login limit is 10 per minute per IP, counted across instances
        client = (first if n % 2 else second).server.test_client()
        form = {"email": f"nobody{n}@nowhere.test", "password": "wrong password 123"}
        form["csrf_token"] = csrf_token(client)
        statuses.append(client.post("/login", data=form).status_code)
    assert 429 not in statuses[:10]
    assert statuses[10] == 429


def _read(app, scope):
    with app.server.app_context():
        database = get_database()
        with (
            database.session_scope() as session,
            statements_sent(database.engine) as seen,
        ):
            kpi_summary(session, scope, RNG)
        return len(seen)


def test_the_cache_is_shared_and_so_is_invalidation(twin_apps):
    first, second, world = twin_apps
    acme = world["orgs"]["acme"]
    viewer = Scope(acme, "viewer")
    assert _read(first, viewer) > 0
    assert _read(second, viewer) == 0  # filled by the other instance
    with second.server.app_context(), get_database().session_scope() as session:
        old = session.get(Organization, acme).fee_rate
        set_fee_rate(session, Scope(acme, "admin"), "30")
    assert _read(first, viewer) > 0  # expired by the other instance's write
    with second.server.app_context(), get_database().session_scope() as session:
        set_fee_rate(session, Scope(acme, "admin"), old * 100)


@pytest.mark.parametrize("hops", [0, 1])
def test_behind_a_proxy_each_client_has_its_own_login_limit(ops_world, hops):
    app = make_app(ops_world[0], KIKI_PROXY_HOPS=hops)

    def attempt(n: int, client_ip: str) -> int:
        client = app.server.test_client()
        headers = {"X-Forwarded-For": client_ip}
        form = {"email": f"nobody{n}@nowhere.test", "password": "wrong password 123"}
        form["csrf_token"] = csrf_token(client)
        return client.post("/login", data=form, headers=headers).status_code

    assert [attempt(n, "203.0.113.7") for n in range(10)].count(429) == 0
    assert attempt(10, "203.0.113.7") == 429
    # Another client behind the same proxy: limited too only when the proxy is not trusted.
    assert (attempt(11, "198.51.100.8") == 429) is (hops == 0)
