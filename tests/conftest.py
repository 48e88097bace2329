"""Shared fixtures: migrated databases on SQLite and PostgreSQL, per-test transactions rolled back."""

from __future__ import annotations

import warnings

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.db import make_engine
from tests.services import create_database, dispose_database

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
    engine = make_engine(database_url)
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
