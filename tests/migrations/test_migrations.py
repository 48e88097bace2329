"""Alembic builds the schema on both databases, removes it again, and never drifts from the models."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from data.db import make_engine
from data.models import Base
from data.ops.migrate import downgrade_to_base, upgrade_to_head
from tests.services import create_pg_database, drop_pg_database

SEED_TABLES = {
    "campaign_deployments",
    "ad_copies",
    "image_prompts",
    "video_prompts",
    "user_assets",
    "platformdeployments",
    "performance_metrics",
    "daily_revenue_summary",
    "users",
    "ltv_predictions",
    "audit_logs",
    "organizations",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
        return
    url = create_pg_database("kiki_migrate")
    yield url
    drop_pg_database(url)


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _drift(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            is_pg = conn.dialect.name == "postgresql"
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": is_pg}
            )
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def test_upgrade_builds_every_table_and_matches_the_models(empty_url):
    upgrade_to_head(empty_url)
    assert SEED_TABLES <= _tables(empty_url)
    assert _tables(empty_url) == set(Base.metadata.tables)
    assert _drift(empty_url) == []


def test_downgrade_removes_everything_and_upgrade_again_works(empty_url):
    upgrade_to_head(empty_url)
    downgrade_to_base(empty_url)
    assert _tables(empty_url) == set()
    upgrade_to_head(empty_url)
    assert _drift(empty_url) == []


def test_drift_check_notices_a_model_change(empty_url):
    """The drift check can fail: a column the migrations lack is reported."""
    upgrade_to_head(empty_url)
    extra = sa.Table(
        "organizations", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True)
    )
    engine = make_engine(empty_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn)
        diff = compare_metadata(context, extra.metadata)
    engine.dispose()
    assert diff, "removing every column but id from organizations must show as drift"


def test_0003_turns_each_single_fee_rate_into_its_first_history_row(empty_url):
    """An organization at 15 % before 0003 has one fee_rates row: 15 % from 1900-01-01 on;
    downgrading to 0002 removes the table and keeps the organization's rate."""
    from alembic import command

    from data.ops.migrate import alembic_config

    config = alembic_config(empty_url)
    command.upgrade(config, "0002")
    engine = make_engine(empty_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO organizations (slug, name, fee_rate, audit_retention_days)"
                    " VALUES ('old', 'Old Co', 0.15, 365)"
                )
            )
        command.upgrade(config, "0003")
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT rate, effective_from, created_by FROM fee_rates")
            ).all()
        assert [(float(r), str(d)[:10], c) for r, d, c in rows] == [
            (0.15, "1900-01-01", None)
        ]
        command.downgrade(config, "0002")
        assert "fee_rates" not in sa.inspect(engine).get_table_names()
        with engine.connect() as conn:
            rate = conn.execute(sa.text("SELECT fee_rate FROM organizations")).scalar()
        assert float(rate) == 0.15
    finally:
        engine.dispose()
