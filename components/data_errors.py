"""The data layer's refusals as the message a page shows (the one mapping for every page)."""

from __future__ import annotations

from data.errors import DataError, Forbidden

ROLE_NAMES = {"viewer": "viewers", "analyst": "analysts", "admin": "admins"}


def data_error_message(error: DataError) -> str:
    """What to tell the person: the error's own message, or who may do this when forbidden."""
    if isinstance(error, Forbidden):
        role = getattr(error, "role", None) or "admin"
        return f"Only {ROLE_NAMES.get(role, role + 's')} can do this."
    return str(error)
