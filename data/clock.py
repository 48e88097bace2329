"""Today's date for default ranges; KIKI_TODAY pins it (demos, screenshots, tests)."""

from __future__ import annotations

import datetime as dt

from flask import current_app, has_app_context


def today() -> dt.date:
    pinned = current_app.config.get("KIKI_TODAY") if has_app_context() else None
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()
