"""Audit rows for API calls, written in batches by a background thread so responses never wait on them."""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import os
import threading
from collections import deque

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from data.models import AuditLog
from data.scope import Actor
from data.writes.transaction import write_transaction

log = logging.getLogger(__name__)

FLUSH_SECONDS = 1.0
BATCH_SIZE = 100
MAX_PENDING = (
    100_000  # beyond this (database down for a long time) the oldest rows are dropped
)


class AuditBatcher:
    """Collects audit rows in memory; a daemon thread inserts them every second or every 100 rows.

    The thread starts on the first row in each process (so it survives gunicorn's fork) and the
    queue is flushed at interpreter exit.
    """

    def __init__(
        self,
        make_session: sessionmaker,
        flush_seconds: float = FLUSH_SECONDS,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._make_session = make_session
        self._flush_seconds = flush_seconds
        self._batch_size = batch_size
        self._pending: deque[dict] = deque(maxlen=MAX_PENDING)
        self._wake = threading.Event()
        self._write_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._closed = False
        atexit.register(self.close)

    def record(
        self,
        actor: Actor,
        action: str,
        *,
        target_type: str | None = None,
        target_id: str | None = None,
        details: dict | None = None,
    ) -> None:
        """Queue one audit row stamped with the current time; returns at once."""
        self._pending.append(
            {
                "organization_id": actor.organization_id,
                "actor_user_id": actor.user_id,
                "action": action,
                "target_type": target_type,
                "target_id": None if target_id is None else str(target_id)[:64],
                "ip_address": (actor.ip_address or "")[:64] or None,
                "details": details or {},
                "created_at": dt.datetime.now(dt.UTC),
            }
        )
        self._ensure_thread()
        if len(self._pending) >= self._batch_size:
            self._wake.set()

    def flush(self) -> int:
        """Insert every queued row now; returns how many were written (0 if the insert failed)."""
        with self._write_lock:
            rows = []
            while self._pending:
                rows.append(self._pending.popleft())
            if not rows:
                return 0
            try:
                with self._make_session() as session, write_transaction(session):
                    session.execute(sa.insert(AuditLog), rows)
            except Exception as exc:  # noqa: BLE001 - auditing must never take the API down
                log.error("could not write %d API audit rows: %s", len(rows), exc)
                return 0
            return len(rows)

    def close(self) -> None:
        """Stop the thread and write what is left (registered with atexit)."""
        self._closed = True
        self._wake.set()
        thread = self._thread
        if thread is not None and thread.is_alive() and self._pid == os.getpid():
            thread.join(timeout=5)
        self.flush()

    def _ensure_thread(self) -> None:
        if self._pid == os.getpid() or self._closed:
            return
        with self._write_lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._thread = threading.Thread(
                target=self._run, name="kiki-api-audit", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait(self._flush_seconds)
            self._wake.clear()
            self.flush()
