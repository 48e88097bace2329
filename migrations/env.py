"""Alembic environment: the models' metadata, the URL from the config or DATABASE_URL; no Flask app needed."""

from alembic import context

from config import DEFAULT_DATABASE_URL
from data.db import make_engine
from data.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    import os

    return (
        config.attributes.get("url")
        or os.environ.get("DATABASE_URL")
        or DEFAULT_DATABASE_URL
    )


def _configure(**kwargs) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(
            connection=connection,
            compare_server_default=connection.dialect.name == "postgresql",
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _configure(
            connection=conn, compare_server_default=conn.dialect.name == "postgresql"
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
