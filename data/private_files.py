"""Files that hold secrets or personal data (the demo's database, keys) are created owner-only."""

from __future__ import annotations

import os
from pathlib import Path

OWNER_ONLY = 0o600


def create_owner_only(path: Path | str, text: str | None = None) -> bool:
    """Create ``path`` with mode 0600 (and ``text`` in it) unless it exists; True if created.

    The mode is given to open(2) itself, so the file is never readable by others, not even
    for the moment between creating it and a chmod."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
    except (
        FileExistsError,
        FileNotFoundError,
    ):  # no folder: left to the caller to report
        return False
    with os.fdopen(fd, "w") as handle:
        if text is not None:
            handle.write(text)
    return True


def sqlite_file(url: str) -> str | None:
    """The file of a SQLite URL, or None (another backend, memory, a URI filename)."""
    if not url.startswith("sqlite"):
        return None
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database
