"""One failure counter and one lock per e-mail address, shared by every sign-in door.

The web form and the API's password grant both count failures here, keyed by the normalized
address whether or not an account has it, and both refuse a locked address before looking at
the password: status, message, timing and lock are the same for a real and a made-up address.
The counter (5 failures in 15 minutes) lives in the rate limiter's storage (Redis; each
worker's memory while Redis is down, for every address alike). The lock (15 minutes from the
failure that trips it) is a row of ``sign_in_locks`` (data/writes/sign_in_locks.py), keyed by
the address's digest, real or made up: every worker sees it, Redis or not, and an admin's
password reset or reactivation lifts it.
"""

from __future__ import annotations

import datetime as dt
import math

from limits import parse

from auth.address_limits import _with_strategy
from auth.limits import limiter
from auth.sign_in import (
    LOCKED_MESSAGE,
    LOCKOUT,
    MAX_FAILED_LOGINS,
    check_credentials,
    lock_account,
    record_locked_refusal,
)
from data.writes.sign_in_locks import address_digest, locked_until

FAILURES = parse(
    f"{MAX_FAILED_LOGINS} per {int(LOCKOUT.total_seconds() // 60)} minutes"
)


def _ids(kind: str, email: str) -> tuple[str, ...]:
    """The limiter's key of an address's failure count (the lock's key, shortened)."""
    return (limiter._key_prefix or "kiki", kind, address_digest(email)[:32])


def locked_seconds(db, email: str) -> int:
    """Seconds the address stays locked; 0 when it is not."""
    now = dt.datetime.now(dt.UTC)
    until = locked_until(db, email, now)
    return max(1, math.ceil((until - now).total_seconds())) if until else 0


def sign_in(db, email, password, ip_address, channel: str = "web"):
    """check_credentials behind the shared counter and lock: (user or None, message). A locked
    address, real or not, is refused with LOCKED_MESSAGE before any password is checked."""
    if locked_seconds(db, email):
        record_locked_refusal(db, email, ip_address, channel)
        return None, LOCKED_MESSAGE
    user, message = check_credentials(db, email, password, ip_address, channel)
    if user is not None:
        _with_strategy(lambda s: s.clear(FAILURES, *_ids("account-failures", email)))
        return user, message
    failures = _ids("account-failures", email)
    _with_strategy(lambda strategy: strategy.hit(FAILURES, *failures))
    if _with_strategy(lambda strategy: strategy.test(FAILURES, *failures)) is False:
        _with_strategy(lambda strategy: strategy.clear(FAILURES, *failures))
        lock_account(db, email, ip_address, channel)
    return None, message
