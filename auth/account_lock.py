"""One failure counter and one lock per e-mail address, shared by every sign-in door.

The web form and the API's password grant both count failures here, keyed by the normalized
address whether or not an account has it, and both refuse a locked address before looking at
the password: status, message, timing and lock are the same for a real and a made-up address.
The counter (5 failures in 15 minutes) and the lock (15 minutes from the failure that trips it)
live in the rate limiter's storage (Redis; each worker's memory while Redis is down). A real
account's lock is also written to ``users.locked_until`` at that same moment, so it holds
across workers without Redis.
"""

from __future__ import annotations

import hashlib
import math
import time

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

FAILURES = parse(
    f"{MAX_FAILED_LOGINS} per {int(LOCKOUT.total_seconds() // 60)} minutes"
)
LOCK = parse(f"1 per {int(LOCKOUT.total_seconds() // 60)} minutes")


def _ids(kind: str, email: str) -> tuple[str, ...]:
    normalized = (email or "").strip().lower()[:254]
    digest = hashlib.sha256(normalized.encode("utf-8", "replace")).hexdigest()[:32]
    return (limiter._key_prefix or "kiki", kind, digest)


def locked_seconds(email: str) -> int:
    """Seconds the address stays locked; 0 when it is not."""
    ids = _ids("account-lock", email)
    if _with_strategy(lambda strategy: strategy.test(LOCK, *ids)) is not False:
        return 0
    stats = _with_strategy(lambda strategy: strategy.get_window_stats(LOCK, *ids))
    reset = stats.reset_time if stats else time.time() + LOCKOUT.total_seconds()
    return max(1, math.ceil(reset - time.time()))


def sign_in(db, email, password, ip_address, channel: str = "web"):
    """check_credentials behind the shared counter and lock: (user or None, message). A locked
    address, real or not, is refused with LOCKED_MESSAGE before any password is checked."""
    if locked_seconds(email):
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
        _with_strategy(lambda s: s.hit(LOCK, *_ids("account-lock", email)))
        lock_account(db, email, ip_address, channel)
    return None, message
