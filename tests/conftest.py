"""Shared fixtures: migrated databases on SQLite and PostgreSQL, per-test transactions rolled back."""

from __future__ import annotations

import os
import warnings

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.db import make_engine
from tests.services import SmtpSink, create_database, dispose_database

warnings.filterwarnings(
    "ignore", message=".*does \\*not\\* support Decimal objects natively.*"
)

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """A migrated, empty database per backend for the whole session."""
    url = create_database(request.param, tmp_path_factory.mktemp("db"))
    yield url
    dispose_database(url)


@pytest.fixture(scope="session")
def engine(database_url):
    """The backend's engine; on SQLite with real BEGINs, so that the code's commits (savepoint
    releases inside the test's transaction) are undone with it (pysqlite would otherwise begin
    its own transactions and commit them)."""
    engine = make_engine(database_url)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _no_implicit_transactions(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        @sa.event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN")

    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    """A session inside a transaction that is rolled back after the test (commits become savepoints)."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(
        bind=connection,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    )
    yield session
    session.close()
    transaction.rollback()
    connection.close()


def count_rows(session: Session, table) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(table))


@pytest.fixture(scope="session", params=BACKENDS)
def world_url(request, tmp_path_factory):
    """A migrated database per backend holding the golden data and users of every role (committed)."""
    from tests.factories import build_world

    url = create_database(request.param, tmp_path_factory.mktemp("world"))
    engine = make_engine(url)
    with Session(engine) as session:
        world = build_world(session)
    engine.dispose()
    yield url, world
    dispose_database(url)


@pytest.fixture(scope="session")
def app(world_url, smtp_sink):
    """The Dash app over the world database (production settings, not demo mode)."""
    from app import create_app
    from tests.factories import app_config

    url, _world = world_url
    app = create_app(
        app_config(
            url,
            KIKI_SMTP_URL=smtp_sink.url,
            # The walks over every route (tests/auth/test_access_matrix.py) send hundreds of
            # anonymous and wrong-credential API requests from one address: past the default
            # 120 refusals a minute once the LTV and ingest routes came. That limit is tested
            # with an app of its own (tests/auth/test_address_limits.py).
            KIKI_API_AUTH_FAILURE_LIMIT="100000 per minute",
        )
    )
    yield app
    app.server.extensions["kiki_db"].engine.dispose()  # before the database is dropped


@pytest.fixture(scope="session")
def world(world_url):
    return world_url[1]


@pytest.fixture
def client_for(app):
    """client_for("acme", "admin") -> a Flask test client signed in as that user."""
    from tests.factories import login

    def make(slug: str | None = None, role: str | None = None):
        client = app.server.test_client()
        if slug:
            response = login(client, f"{role}@{slug}.test")
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return make


@pytest.fixture(params=BACKENDS)
def fresh_url(request, tmp_path):
    """A migrated, empty database of each backend, for one test."""
    url = create_database(request.param, tmp_path)
    yield url
    dispose_database(url)


@pytest.fixture(scope="module", params=BACKENDS)
def ops_world(request, tmp_path_factory):
    """(url, world): the golden data and users of every role, private to one test module."""
    from tests.factories import build_world

    url = create_database(request.param, tmp_path_factory.mktemp("ops"))
    engine = make_engine(url)
    with Session(engine) as session:
        world = build_world(session)
    engine.dispose()
    yield url, world
    dispose_database(url)


def pytest_addoption(parser):
    parser.addoption(
        "--topology",
        action="store_true",
        help="also run the tests marked topology (deploy/local-cluster; KIKI_TOPOLOGY=1 too)",
    )


def topology_wanted(config) -> bool:
    return config.getoption("--topology") or os.environ.get("KIKI_TOPOLOGY") == "1"


def pytest_collection_modifyitems(config, items):
    """Tests marked postgresql_only run on PostgreSQL only: their SQLite variants (of a fixture
    parametrized by backend) are deselected at collection, so a run never reports a skip.
    Tests marked topology (the local cluster, docs/TOPOLOGY.md) are deselected unless asked for
    with --topology or KIKI_TOPOLOGY=1."""
    kept, dropped = [], []
    topology = topology_wanted(config)
    for item in items:
        if item.get_closest_marker("topology") and not topology:
            dropped.append(item)
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        on_sqlite = (
            any(
                (isinstance(value, str) and value == "sqlite")
                for value in params.values()
            )
            or "[sqlite" in item.nodeid
        )
        if item.get_closest_marker("postgresql_only") and on_sqlite:
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def smtp_sink():
    """A real SMTP server on loopback for the whole session; its ``messages`` and ``to(addr)``."""
    sink = SmtpSink().start()
    yield sink
    sink.stop()
