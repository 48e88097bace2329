"""Why a file was refused: one message a person can act on, and the HTTP status it maps to."""

from __future__ import annotations

from data.errors import Invalid


class Refused(Invalid):
    """An upload refused; ``status``: 413 too large or over quota, 415 not an accepted type,
    422 accepted type but broken or beyond a limit."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status
