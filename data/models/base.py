"""The schema's foundations: the declarative Base, its naming convention, shared column types and value lists."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

PLATFORMS = ("meta", "google", "tiktok")
ROLES = ("viewer", "analyst", "admin")
CAMPAIGN_STATUSES = (
    "draft",
    "pending_approval",
    "approved",
    "rejected",
    "active",
    "paused",
    "completed",
)
ASSET_KINDS = ("image", "video", "copy")
ASSET_STATUSES = ("active", "archived")
BUDGET_TYPES = ("daily", "lifetime")

# SQLite batch migrations cannot alter unnamed constraints: name them all.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Money = sa.Numeric(14, 2)
Rate = sa.Numeric(6, 4)
# BIGINT on PostgreSQL, INTEGER on SQLite (so the rowid alias autoincrements).
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def enum_type(values: tuple[str, ...], name: str) -> sa.Enum:
    """A portable enum: VARCHAR plus a named CHECK constraint (no PostgreSQL ENUM type to manage)."""
    return sa.Enum(
        *values, name=name, native_enum=False, create_constraint=True, length=32
    )


def server_now() -> sa.sql.functions.Function:
    return sa.func.now()


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
