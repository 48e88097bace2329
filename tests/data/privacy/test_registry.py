"""The registry of personal data matches the schema: every personal-looking column is listed,
and every listed column exists; pseudonyms are keyed."""

from __future__ import annotations

import sqlalchemy as sa

from data.models import Base
from data.privacy import registry
from data.privacy.pseudonym import pseudonym, pseudonym_key


def test_every_personal_looking_column_is_registered():
    assert registry.unregistered_columns(Base.metadata) == []


def test_every_registered_column_exists():
    assert registry.unknown_entries(Base.metadata) == []


def test_a_new_personal_column_is_caught():
    metadata = sa.MetaData()
    sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "notifications",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("phone_number", sa.String(20)),
        sa.Column("user_agent", sa.String(200)),
        sa.Column("comment", sa.String(200)),
        sa.Column("payload", sa.JSON),
        sa.Column("reviewed_by_id", sa.ForeignKey("users.id")),
        sa.Column("recipient", sa.ForeignKey("users.id")),
        sa.Column("sent_at", sa.DateTime),
    )
    assert registry.unregistered_columns(metadata) == [
        "notifications.comment",
        "notifications.payload",
        "notifications.phone_number",
        "notifications.recipient",
        "notifications.reviewed_by_id",
        "notifications.user_agent",
    ]


def test_a_registered_column_that_vanished_is_caught(monkeypatch):
    ghost = registry.PersonalColumn(
        "users", "nickname", registry.EXPORT, registry.DELETE, "gone"
    )
    monkeypatch.setattr(registry, "COLUMNS", (*registry.COLUMNS, ghost))
    assert registry.unknown_entries(Base.metadata) == ["users.nickname"]


def test_secrets_are_never_exported():
    users = Base.metadata.tables["users"]
    tokens = Base.metadata.tables["api_tokens"]
    names = {c.name for c in registry.exported_columns(users)}
    names |= {c.name for c in registry.exported_columns(tokens)}
    assert "email" in names and "password_hash" not in names
    assert "token_hash" not in names


def test_pseudonyms_are_keyed_and_stable():
    key = pseudonym_key("a" * 16 + "b" * 16 + "0123456789")
    other = pseudonym_key("another secret key of some length 1234")
    first = pseudonym(key, "Erin@Example.com")
    assert first == pseudonym(key, " erin@example.com")
    assert first != pseudonym(other, "erin@example.com")
    assert first.startswith("anon-") and len(first) == 37
    assert "erin" not in first
