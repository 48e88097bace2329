"""Idempotency keys of API writes: a retried request gets its first answer instead of a second write.

A key is claimed in the same transaction as the write it guards and its answer is stored there
too, so a committed key always has its answer and a refused write leaves no key (the request can
be retried with it). Two concurrent requests with one key: the unique (user_id, key) constraint
makes the second INSERT wait for the first transaction, then fail; the second then replays the
first's answer and writes nothing. Keys expire after LIFETIME.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.errors import Conflict
from data.models import IdempotencyKey

LIFETIME = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 255


class KeyReused(Conflict):
    """The key was used before for a different request (another path, method or body)."""


@dataclass(frozen=True)
class StoredAnswer:
    """What the first request with the key was answered."""

    status: int
    body: dict | None
    location: str | None


def request_fingerprint(method: str, path: str, body) -> str:
    """SHA-256 of the method, the path and the JSON body (keys sorted, so order does not count)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    text = f"{method.upper()} {path}\n{canonical}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stored(session: Session, user_id: int, key: str) -> IdempotencyKey | None:
    return session.scalar(
        sa.select(IdempotencyKey)
        .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        .execution_options(populate_existing=True)
    )


def _answer(row: IdempotencyKey, fingerprint: str) -> StoredAnswer:
    if row.request_hash != fingerprint:
        raise KeyReused(
            "This Idempotency-Key was already used for a different request "
            "(another path or body): use a new key for a new request."
        )
    return StoredAnswer(row.status_code or 200, row.response_body, row.location)


def claim_key(
    session: Session,
    user_id: int,
    key: str,
    fingerprint: str,
    *,
    now: dt.datetime | None = None,
) -> tuple[StoredAnswer | None, IdempotencyKey | None]:
    """(the stored answer, None) when ``user_id`` used ``key`` for this request before;
    (None, the claimed row) when the key is new (or expired): write, then store_answer.

    KeyReused when the key was used for a different request. The caller's transaction holds
    the claim: a rollback releases the key.
    """
    now = now or _now()
    session.execute(
        sa.delete(IdempotencyKey)
        .where(IdempotencyKey.user_id == user_id, IdempotencyKey.expires_at < now)
        .execution_options(synchronize_session=False)
    )
    row = _stored(session, user_id, key)
    if row is not None:
        return _answer(row, fingerprint), None
    row = IdempotencyKey(
        user_id=user_id,
        key=key,
        request_hash=fingerprint,
        created_at=now,
        expires_at=now + LIFETIME,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except sa.exc.IntegrityError:
        # Another request with this key committed first (it waited for it): its answer.
        row = _stored(session, user_id, key)
        if row is None:
            raise Conflict(
                "A request with this Idempotency-Key failed: retry."
            ) from None
        return _answer(row, fingerprint), None
    return None, row


def store_answer(
    session: Session,
    row: IdempotencyKey,
    status: int,
    body: dict | None,
    location: str | None = None,
) -> None:
    """Keep the answer of the claimed request with its key (same transaction as the write)."""
    row.status_code, row.response_body, row.location = status, body, location
    session.flush()


def purge_expired(session: Session, now: dt.datetime | None = None) -> int:
    """Delete every expired key (claim_key already drops the caller's own); how many went."""
    result = session.execute(
        sa.delete(IdempotencyKey)
        .where(IdempotencyKey.expires_at < (now or _now()))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
