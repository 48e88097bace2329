"""What SQL a block of test code sends: the one recorder the tests count statements with."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def statements_sent(engine: sa.Engine, keep: Callable[[str], bool] = lambda _s: True):
    """The statements sent on ``engine`` while the block runs (those ``keep`` accepts)."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if keep(statement):
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
