"""A million daily metric rows export through the real route on PostgreSQL, streamed in chunks."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.db import make_engine
from data.models import Organization
from data.ops.demo import bulk_load_metrics
from data.ops.migrate import upgrade_to_head
from tests.factories import add_user, app_config, login
from tests.services import create_pg_database, drop_pg_database

ROWS = 1_000_000


@pytest.fixture(scope="module")
def million_row_url():
    url = create_pg_database("kiki_export_1m")
    upgrade_to_head(url)
    engine = make_engine(url)
    loaded = bulk_load_metrics(
        engine,
        campaigns=2500,
        days=200,
        platforms_per_campaign=2,
        seed=3,
        end_date=dt.date(2026, 11, 1),
    )
    assert loaded == ROWS
    with Session(engine) as session:
        org_id = session.scalar(
            sa.select(Organization.id).where(Organization.slug == "bench")
        )
        add_user(session, org_id, "analyst", "analyst@bench.test")
        session.commit()
    engine.dispose()
    yield url
    drop_pg_database(url)


@pytest.mark.slow
def test_million_row_export_streams_every_row(million_row_url):
    from app import create_app

    app = create_app(app_config(million_row_url))
    client = app.server.test_client()
    assert login(client, "analyst@bench.test").status_code == 302
    response = client.get(
        "/export/metrics/daily.csv?start=2026-01-01&end=2026-11-01", buffered=False
    )
    assert response.status_code == 200
    lines, chunks, largest = 0, 0, 0
    for chunk in response.response:
        chunks += 1
        lines += chunk.count(b"\n")
        largest = max(largest, len(chunk))
    response.close()
    app.server.extensions["kiki_db"].engine.dispose()
    assert lines == ROWS + 1  # the header, then every row
    assert chunks > 100 and largest < 8 * 1024 * 1024, (
        "the body must arrive in many small chunks"
    )
