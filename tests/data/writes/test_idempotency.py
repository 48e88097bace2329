"""Idempotency keys: a key is claimed once per user, replays its stored answer, refuses another
request, and is forgotten when it expires."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from data.models import IdempotencyKey, Organization
from data.writes.idempotency import (
    KeyReused,
    claim_key,
    purge_expired,
    request_fingerprint,
    store_answer,
)
from tests.factories import add_user

NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def users(session):
    org = Organization(slug="idem", name="Idem Ltd")
    session.add(org)
    session.flush()
    return [
        add_user(session, org.id, "analyst", f"{n}@idem.test", password="x" * 12).id
        for n in ("ann", "bob")
    ]


def test_the_fingerprint_covers_method_path_and_body_but_not_key_order():
    base = request_fingerprint("POST", "/api/v1/campaigns", {"a": 1, "b": [1, 2]})
    assert base == request_fingerprint(
        "post", "/api/v1/campaigns", {"b": [1, 2], "a": 1}
    )
    assert len(base) == 64
    assert base != request_fingerprint(
        "POST", "/api/v1/campaigns", {"a": 2, "b": [1, 2]}
    )
    assert base != request_fingerprint("POST", "/api/v1/other", {"a": 1, "b": [1, 2]})
    assert base != request_fingerprint(
        "PATCH", "/api/v1/campaigns", {"a": 1, "b": [1, 2]}
    )


def test_a_claimed_key_replays_its_answer(session, users):
    ann, _bob = users
    stored, claim = claim_key(session, ann, "k1", "f" * 64, now=NOW)
    assert stored is None and claim is not None
    store_answer(session, claim, 201, {"data": {"id": 7}}, "/api/v1/campaigns/7")
    again, second_claim = claim_key(session, ann, "k1", "f" * 64, now=NOW)
    assert second_claim is None
    assert (again.status, again.body, again.location) == (
        201,
        {"data": {"id": 7}},
        "/api/v1/campaigns/7",
    )
    row = session.scalar(sa.select(IdempotencyKey))
    assert row.expires_at.replace(tzinfo=dt.UTC) == NOW + dt.timedelta(hours=24)


def test_the_same_key_for_another_request_is_refused(session, users):
    ann, bob = users
    _stored, claim = claim_key(session, ann, "k1", "a" * 64, now=NOW)
    store_answer(session, claim, 200, {"ok": True})
    with pytest.raises(KeyReused, match="different request"):
        claim_key(session, ann, "k1", "b" * 64, now=NOW)
    stored, other = claim_key(session, bob, "k1", "b" * 64, now=NOW)  # bob's own key
    assert stored is None and other is not None


def test_an_expired_key_is_forgotten_and_purged(session, users):
    ann, bob = users
    _stored, claim = claim_key(session, ann, "old", "a" * 64, now=NOW)
    store_answer(session, claim, 200, {"ok": 1})
    _stored, claim = claim_key(session, bob, "old", "a" * 64, now=NOW)
    store_answer(session, claim, 200, {"ok": 2})
    later = NOW + dt.timedelta(hours=24, seconds=1)
    stored, fresh = claim_key(session, ann, "old", "c" * 64, now=later)
    assert stored is None and fresh is not None  # ann's expired key was dropped
    assert purge_expired(session, later) == 1  # bob's
    assert session.scalar(sa.select(sa.func.count()).select_from(IdempotencyKey)) == 1
