"""The signed-in user of each request, kept in this process and dropped the moment it changes.

Loading the session's user from the database costed a third of the CPU of every request. Users
change rarely (a sign-in, a role, a deactivation, a revoked session), so each process keeps the
rows it has read and forgets all of them whenever anything writes to ``users`` or
``organizations``:

- every SQLAlchemy connection in this process that ran an INSERT, UPDATE or DELETE on those
  tables drops this process's copies when it is returned to the pool (after its commit or
  rollback), and publishes the change on Redis (data/effects.py notes the writes and calls
  ``_announce``, subscribed by ``watch_writes``);
- one listener thread per process and Redis channel drops the copies when another process
  publishes, so a revoked session ends on its next request in every worker and instance.

The copies are only used while that listener is subscribed: with no Redis, or while Redis is
unreachable, every request reads its user from the database, as before. A generation number
keeps a read that raced with a change from being stored, and entries expire after
``TTL_SECONDS`` in any case (the bound for a change made outside the app, e.g. in psql).
"""

from __future__ import annotations

import os
import threading
import time
import uuid
import weakref
from collections.abc import Callable

from data import effects
from data.pubsub import ChannelListener

TTL_SECONDS = 60.0
MAX_ENTRIES = 50_000


class UserCache:
    """One app's copies of session users, by user id: (stored at, row or None)."""

    def __init__(self, listener: Listener | None) -> None:
        self.listener = listener
        self.entries: dict[int, tuple[float, object]] = {}
        self.generation = 0
        self._lock = threading.Lock()
        _CACHES.add(self)
        if listener is not None:
            listener.caches.add(self)

    @property
    def usable(self) -> bool:
        return self.listener is not None and self.listener.subscribed()

    def load(self, user_id: int, read: Callable[[int], object]) -> object:
        """The cached row of ``user_id``, or ``read(user_id)`` (stored when nothing changed)."""
        if not self.usable:
            return read(user_id)
        hit = self.entries.get(user_id)
        if hit is not None and time.monotonic() - hit[0] < TTL_SECONDS:
            return hit[1]
        generation = self.generation
        row = read(user_id)
        with self._lock:
            if generation == self.generation and self.usable:
                if len(self.entries) >= MAX_ENTRIES:
                    self.entries.clear()
                self.entries[user_id] = (time.monotonic(), row)
        return row

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self.entries.clear()


class Listener(ChannelListener):
    """Subscribes to one Redis channel in this process; other processes' changes clear the caches."""

    def __init__(self, url: str, channel: str) -> None:
        super().__init__(url, channel)
        self.caches: weakref.WeakSet[UserCache] = weakref.WeakSet()

    def wanted(self) -> bool:
        return bool(self.caches)

    def _clear_mine(self) -> None:
        for cache in list(self.caches):
            cache.clear()

    def state_changed(self, subscribed: bool) -> None:
        # Whatever was cached may have missed a message: start empty either way.
        self._clear_mine()

    def received(self, data: bytes) -> None:
        if data != _sender():  # ours: cleared already
            self._clear_mine()

    def announce(self) -> None:
        self.publish(_sender())


_CACHES: weakref.WeakSet[UserCache] = weakref.WeakSet()
_BOOT = uuid.uuid4().hex


def _sender() -> bytes:
    """This process's name on the channel (forked workers share _BOOT, not their pid)."""
    return f"{_BOOT}:{os.getpid()}".encode()


_LISTENERS: dict[tuple[str, str], Listener] = {}


def listener_for(url: str | None, channel: str) -> Listener | None:
    if not url:
        return None
    return _LISTENERS.setdefault((url, channel), Listener(url, channel))


def _clear_all() -> None:
    for cache in list(_CACHES):
        cache.clear()


def _announce() -> None:
    """Users or organizations changed in this process: forget here, tell the other processes."""
    _clear_all()
    for listener in list(_LISTENERS.values()):
        listener.announce()


def watch_writes() -> None:
    """Subscribe to data's users-changed effect (data/effects.py), once per process."""
    effects.on_users_changed(_announce)
