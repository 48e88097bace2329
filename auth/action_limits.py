"""Limits on what one signed-in user may do often: invitations per admin
(KIKI_INVITATION_RATE_LIMIT), reports sent now per person (KIKI_REPORT_SEND_NOW_LIMIT)."""

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
    return _wait_seconds("invitations", "KIKI_INVITATION_RATE_LIMIT", user_id)


def send_now_wait_seconds(user_id: int | None) -> int:
    """Count one "Send now" of a scheduled report (each is an e-mail to every recipient):
    0 when it may go ahead, else the seconds to wait."""
    return _wait_seconds("report-send-now", "KIKI_REPORT_SEND_NOW_LIMIT", user_id)


def _wait_seconds(kind: str, setting: str, user_id: int | None) -> int:
    item = parse(current_app.config.get(setting) or "20 per hour")
    ids = (limiter._key_prefix or "kiki", kind, str(user_id))
    if _with_strategy(lambda strategy: strategy.hit(item, *ids)) is not False:
        return 0
    stats = _with_strategy(lambda strategy: strategy.get_window_stats(item, *ids))
    reset = stats.reset_time if stats else time.time() + 60
    return max(1, math.ceil(reset - time.time()))
