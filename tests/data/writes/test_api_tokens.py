"""Personal API tokens: plaintext once, only a hash stored, revocation, last-used throttling."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa

from data.models import ApiToken, AuditLog, Organization
from data.writes.api_tokens import (
    MAX_ACTIVE_TOKENS,
    active_tokens,
    create_token,
    revoke_token,
    token_owner,
    touch_token,
)
from tests.factories import add_user


@pytest.fixture
def people(session):
    org = Organization(slug="tok", name="Tokens Inc")
    other = Organization(slug="tok2", name="Others Ltd")
    session.add_all([org, other])
    session.flush()
    alice = add_user(session, org.id, "viewer", "alice@tok.test", password="x" * 12)
    bob = add_user(session, other.id, "analyst", "bob@tok2.test", password="x" * 12)
    return alice, bob


def test_create_returns_plaintext_once_and_stores_only_its_sha256(session, people):
    alice, _bob = people
    token, plaintext = create_token(session, alice.id, "  laptop  ", "10.0.0.1")
    session.flush()
    stored = session.get(ApiToken, token.id)
    assert stored.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in {stored.token_hash, stored.prefix, stored.name}
    assert plaintext.startswith(stored.prefix) and len(stored.prefix) == 12
    assert stored.name == "laptop"
    audit = session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "api_token_created")
    )
    assert audit.actor_user_id == alice.id and audit.target_id == str(token.id)
    assert plaintext not in str(audit.details)


def test_owner_lookup_accepts_the_token_and_nothing_else(session, people):
    alice, _bob = people
    token, plaintext = create_token(session, alice.id, "ci")
    assert token_owner(session, plaintext)[0] == token.id
    assert token_owner(session, plaintext)[1].id == alice.id
    assert token_owner(session, plaintext + "x") is None
    assert token_owner(session, plaintext[:-1]) is None


def test_revoked_token_and_deactivated_owner_stop_matching(session, people):
    alice, _bob = people
    first, first_text = create_token(session, alice.id, "one")
    _second, second_text = create_token(session, alice.id, "two")
    assert revoke_token(session, alice.id, first.id)
    assert token_owner(session, first_text) is None
    assert token_owner(session, second_text) is not None
    alice.is_active = False
    session.flush()
    assert token_owner(session, second_text) is None


def test_a_user_cannot_revoke_someone_elses_token(session, people):
    alice, bob = people
    token, plaintext = create_token(session, alice.id, "mine")
    assert revoke_token(session, bob.id, token.id) is False
    assert token_owner(session, plaintext) is not None
    assert revoke_token(session, alice.id, token.id) is True
    assert revoke_token(session, alice.id, token.id) is False  # already revoked


def test_list_shows_only_own_active_tokens_newest_first(session, people):
    alice, bob = people
    old, _ = create_token(session, alice.id, "old")
    new, _ = create_token(session, alice.id, "new")
    gone, _ = create_token(session, alice.id, "gone")
    create_token(session, bob.id, "bobs")
    revoke_token(session, alice.id, gone.id)
    frame = active_tokens(session, alice.id)
    assert list(frame["token_id"]) == [new.id, old.id]
    assert "token_hash" not in frame.columns


@pytest.mark.parametrize("name", ["", "   ", "n" * 101])
def test_bad_names_are_refused_and_change_nothing(session, people, name):
    alice, _bob = people
    with pytest.raises(ValueError, match="name"):
        create_token(session, alice.id, name)
    assert session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_the_number_of_active_tokens_is_capped(session, people):
    alice, _bob = people
    for index in range(MAX_ACTIVE_TOKENS):
        create_token(session, alice.id, f"t{index}")
    with pytest.raises(ValueError, match="revoke one"):
        create_token(session, alice.id, "one too many")


def test_last_used_is_written_at_most_once_a_minute(session, people):
    alice, _bob = people
    token, _ = create_token(session, alice.id, "busy")
    assert touch_token(session, token.id) is True
    assert touch_token(session, token.id) is False
    session.refresh(token)
    first = token.last_used_at
    assert first is not None
    token.last_used_at = first - dt.timedelta(seconds=61)
    session.flush()
    assert touch_token(session, token.id) is True


def test_a_token_reads_only_unless_created_with_the_write_scope(session, people):
    alice, _bob = people
    reader, reader_text = create_token(session, alice.id, "reader")
    writer, writer_text = create_token(session, alice.id, "writer", scope="read+write")
    assert token_owner(session, reader_text)[2] == "read"
    assert token_owner(session, writer_text)[2] == "read+write"
    frame = active_tokens(session, alice.id)
    assert dict(zip(frame["token_id"], frame["scope"])) == {
        reader.id: "read",
        writer.id: "read+write",
    }
    audit = session.scalars(
        sa.select(AuditLog.details).where(AuditLog.action == "api_token_created")
    ).all()
    assert [d["scope"] for d in audit] == ["read", "read+write"]


@pytest.mark.parametrize("scope", ["write", "", "READ", "read+write+admin"])
def test_an_unknown_scope_is_refused_and_changes_nothing(session, people, scope):
    alice, _bob = people
    with pytest.raises(ValueError, match="access"):
        create_token(session, alice.id, "odd", scope=scope)
    assert session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0
