"""Limits on what one signed-in user may do often: invitations per admin (KIKI_INVITATION_RATE_LIMIT)."""

from __future__ import annotations

import math
import time

from flask import current_app
from limits import parse

from auth.address_limits import _with_strategy
from auth.limits import limiter


def invitation_wait_seconds(user_id: int | None) -> int:
    """Count one invitation by ``user_id``: 0 when it may go ahead, else the seconds to wait.
    Counted in the rate limiter's storage (Redis; each worker's memory while it is down)."""
    item = parse(current_app.config.get("KIKI_INVITATION_RATE_LIMIT") or "20 per hour")
    ids = (limiter._key_prefix or "kiki", "invitations", str(user_id))
    if _with_strategy(lambda strategy: strategy.hit(item, *ids)) is not False:
        return 0
    stats = _with_strategy(lambda strategy: strategy.get_window_stats(item, *ids))
    reset = stats.reset_time if stats else time.time() + 60
    return max(1, math.ceil(reset - time.time()))
