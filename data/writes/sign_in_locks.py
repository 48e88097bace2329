"""Locked sign-in addresses, one row per address digest, for real and made-up addresses alike.

auth/account_lock.py counts failures and decides when an address locks; the lock itself lives
here, in the database every worker shares, so a locked address is locked everywhere whether or
not an account has it (and with Redis down). An admin's password reset or reactivation lifts it.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.models import SignInLock


def address_digest(email) -> str:
    """The key of an address: SHA-256 of its normalized form (never the address itself)."""
    normalized = (email if isinstance(email, str) else "").strip().lower()[:254]
    return hashlib.sha256(normalized.encode("utf-8", "replace")).hexdigest()


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite returns naive datetimes; they were written as UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def locked_until(session: Session, email, now: dt.datetime) -> dt.datetime | None:
    """When the address's lock ends, if it is locked at ``now``; None otherwise."""
    until = _utc(
        session.scalar(
            sa.select(SignInLock.locked_until).where(
                SignInLock.address_digest == address_digest(email)
            )
        )
    )
    return until if until is not None and until > now else None


def lock_address(session: Session, email, until: dt.datetime) -> None:
    """Lock the address until ``until`` (a later lock replaces an earlier one)."""
    digest = address_digest(email)
    row = session.get(SignInLock, digest)
    if row is None:
        session.add(SignInLock(address_digest=digest, locked_until=until))
    else:
        row.locked_until = until
    session.flush()


def clear_address(session: Session, email) -> None:
    """Lift the address's lock (a successful sign-in, an admin's reset or reactivation)."""
    session.execute(
        sa.delete(SignInLock).where(SignInLock.address_digest == address_digest(email))
    )
