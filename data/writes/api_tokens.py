"""Personal API tokens: created (plaintext shown once), listed, revoked; only a SHA-256 is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.errors import Invalid
from data.models import TOKEN_SCOPES, ApiToken, User
from data.scope import Actor
from data.writes.audit import record_event

TOKEN_PREFIX = "kiki_"
PREFIX_LENGTH = 12  # what the list shows, so a person can tell tokens apart
MAX_NAME_LENGTH = 100
MAX_ACTIVE_TOKENS = 20
TOUCH_INTERVAL = dt.timedelta(minutes=1)
TOKEN_COLUMNS = ["token_id", "name", "prefix", "scope", "created_at", "last_used_at"]


def hash_token(plaintext: str) -> str:
    """The stored form of a token: hex SHA-256 (the token is random, so no slow hash is needed)."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def looks_like_personal_token(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_token(
    session: Session,
    user_id: int,
    name: str,
    ip_address: str | None = None,
    scope: str = "read",
) -> tuple[ApiToken, str]:
    """Add a token for ``user_id`` with its audit row (the caller commits); returns it and its plaintext.

    ``scope``: "read" (the default), "read+write" or "ingest" (TOKEN_SCOPES). The plaintext is returned
    only here and never stored. ValueError on a bad name, scope or too many tokens.
    """
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise Invalid(f"Give the token a name of 1 to {MAX_NAME_LENGTH} characters.")
    if scope not in TOKEN_SCOPES:
        raise Invalid(f"Choose the token's access: {' or '.join(TOKEN_SCOPES)}.")
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise Invalid("This account cannot create tokens.")
    active = session.scalar(
        sa.select(sa.func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    )
    if active >= MAX_ACTIVE_TOKENS:
        raise Invalid(
            f"You already have {MAX_ACTIVE_TOKENS} active tokens: revoke one first."
        )
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user_id,
        name=name,
        token_hash=hash_token(plaintext),
        prefix=plaintext[:PREFIX_LENGTH],
        scope=scope,
    )
    session.add(token)
    session.flush()
    record_event(
        session,
        Actor(user.organization_id, user_id, ip_address),
        "api_token_created",
        target_type="api_token",
        target_id=token.id,
        details={"name": name, "prefix": token.prefix, "scope": scope},
    )
    return token, plaintext


def revoke_token(
    session: Session, user_id: int, token_id: int, ip_address: str | None = None
) -> bool:
    """Revoke one of ``user_id``'s own active tokens with its audit row (the caller commits).

    False when there is no such active token of that user (another user's token is never touched).
    """
    token = session.scalar(
        sa.select(ApiToken).where(
            ApiToken.id == token_id,
            ApiToken.user_id == user_id,
            ApiToken.revoked_at.is_(None),
        )
    )
    if token is None:
        return False
    token.revoked_at = _now()
    user = session.get(User, user_id)
    record_event(
        session,
        Actor(user.organization_id if user else None, user_id, ip_address),
        "api_token_revoked",
        target_type="api_token",
        target_id=token.id,
        details={"name": token.name, "prefix": token.prefix},
    )
    return True


def active_tokens(session: Session, user_id: int) -> pd.DataFrame:
    """``user_id``'s tokens that are not revoked, newest first. Columns: TOKEN_COLUMNS."""
    stmt = (
        sa.select(
            ApiToken.id.label("token_id"),
            ApiToken.name,
            ApiToken.prefix,
            ApiToken.scope,
            ApiToken.created_at,
            ApiToken.last_used_at,
        )
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return pd.DataFrame(
        [row._asdict() for row in session.execute(stmt)], columns=TOKEN_COLUMNS
    )


def token_owner(session: Session, plaintext: str) -> tuple[int, User, str] | None:
    """(token id, its active user, its scope) for a valid, unrevoked token of an active user;
    else None."""
    row = session.execute(
        sa.select(ApiToken.id, User, ApiToken.scope)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.token_hash == hash_token(plaintext),
            ApiToken.revoked_at.is_(None),
            User.is_active.is_(True),
        )
    ).first()
    return (row[0], row[1], row[2]) if row else None


def touch_token(session: Session, token_id: int) -> bool:
    """Record that the token was used now, at most once per TOUCH_INTERVAL (the caller commits).

    One conditional UPDATE, so concurrent requests never write more than once per interval.
    """
    now = _now()
    result = session.execute(
        sa.update(ApiToken)
        .where(
            ApiToken.id == token_id,
            sa.or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at < now - TOUCH_INTERVAL,
            ),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount > 0
