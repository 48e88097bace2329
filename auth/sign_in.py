"""Checking an email and password: one lockout and one audit trail for the web login and the API."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from auth.passwords import verify_password
from data.models import User
from data.reads.users import user_by_email
from data.scope import Actor
from data.writes.audit import record_event
from data.writes.sign_in_locks import lock_address
from data.writes.transaction import write_transaction

MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
GENERIC_FAILURE = "Wrong email or password."
LOCKED_MESSAGE = "Too many failed attempts. Try again in 15 minutes."


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _as_utc(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite returns naive datetimes; they were written as UTC.
    return (
        value.replace(tzinfo=dt.UTC)
        if value is not None and value.tzinfo is None
        else value
    )


def check_credentials(
    db: Session,
    email: str,
    password: str,
    ip_address: str | None,
    channel: str = "web",
) -> tuple[User | None, str]:
    """Check the credentials, count failures toward the lockout and audit the outcome (committed).

    Returns the user (or None) and a message for the person signing in. ``channel`` ("web" or
    "api") is recorded in the audit details so the two doors can be told apart.
    """
    # Every outcome is committed, a refusal too: the failures count toward the lockout.
    with write_transaction(db) as session:
        return _check(session, email, password, ip_address, channel)


def _check(
    db: Session, email: str, password: str, ip_address: str | None, channel: str
) -> tuple[User | None, str]:
    email = (email or "").strip().lower()[:254]
    # No address holds a control character, and PostgreSQL refuses NUL in a query: unknown.
    printable = email.isprintable()
    user = user_by_email(db, email) if printable else None
    if not printable:
        email = email.encode("unicode_escape").decode("ascii")[:254]
    password_ok = verify_password(user.password_hash if user else None, password or "")
    if user is None:
        record_event(
            db,
            Actor(None, None, ip_address),
            "login_failed",
            details={"email": email, "reason": "unknown email", "channel": channel},
        )
        return None, GENERIC_FAILURE
    actor = Actor(user.organization_id, user.id, ip_address)
    locked_until = _as_utc(user.locked_until)
    if locked_until and locked_until > _now():
        record_event(db, actor, "login_refused_locked", details={"channel": channel})
        return None, LOCKED_MESSAGE
    if not password_ok or not user.is_active:
        _count_failure(db, user, actor, channel, password_ok)
        return None, GENERIC_FAILURE
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = _now()
    record_event(db, actor, "login_succeeded", details={"channel": channel})
    return user, ""


def _count_failure(
    db: Session, user: User, actor: Actor, channel: str, password_ok: bool
) -> None:
    user.failed_logins += 1
    record_event(
        db,
        actor,
        "login_failed",
        details={
            "reason": "inactive" if password_ok else "wrong password",
            "channel": channel,
        },
    )
    # The lock is decided by the counter every door shares, for any address (auth/account_lock.py).


def _user_by_email(db: Session, email: str) -> tuple[User | None, str]:
    email = (email or "").strip().lower()[:254]
    if not email.isprintable():
        return None, email.encode("unicode_escape").decode("ascii")[:254]
    return user_by_email(db, email), email


def record_locked_refusal(
    db: Session, email: str, ip_address: str | None, channel: str
) -> None:
    """Audit an attempt refused because the address is locked (committed)."""
    with write_transaction(db) as session:
        user, email = _user_by_email(session, email)
        record_event(
            session,
            Actor(
                user.organization_id if user else None,
                user.id if user else None,
                ip_address,
            ),
            "login_refused_locked",
            details={"channel": channel}
            if user
            else {"email": email, "channel": channel},
        )


def lock_account(db: Session, email: str, ip_address: str | None, channel: str) -> None:
    """Lock the address for LOCKOUT from now, whether or not an account has it, and the account
    with it if there is one (committed)."""
    with write_transaction(db) as session:
        lock_address(session, email, _now() + LOCKOUT)
        user, _email = _user_by_email(session, email)
        if user is None:
            return
        user.locked_until = _now() + LOCKOUT
        user.failed_logins = 0
        record_event(
            session,
            Actor(user.organization_id, user.id, ip_address),
            "account_locked",
            details={"minutes": LOCKOUT.seconds // 60, "channel": channel},
        )
