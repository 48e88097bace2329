"""One Redis pub/sub subscription per process and channel, on a thread that outlives Redis outages.

Shared by the session-user cache (auth/user_cache.py) and the live events (data/live_broker.py):
both need exactly one subscriber connection per process, however many apps, requests or open
streams use it, that starts after a fork (threads do not survive one), reconnects with backoff,
and says whether it is subscribed right now (a message may have been missed while it was not).
"""

from __future__ import annotations

import logging
import os
import threading
import time

import redis

log = logging.getLogger(__name__)


class ChannelListener:
    """Subscribes to ``channel`` on a daemon thread; subclasses say what a message does.

    ``wanted()`` keeps the thread going (it stops once nothing uses it: a later use starts a new
    one); ``received(data)`` handles a message; ``state_changed(subscribed)`` is called when the
    subscription starts and when it is lost.
    """

    def __init__(self, url: str, channel: str) -> None:
        self.url, self.channel = url, channel
        self._subscribed = False
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._publisher: redis.Redis | None = None
        self._publisher_pid: int | None = None

    # What a subclass decides.
    def wanted(self) -> bool:
        return True

    def received(self, data: bytes) -> None:
        raise NotImplementedError

    def state_changed(self, subscribed: bool) -> None:
        """Called with True when (re)subscribed and False when the subscription was lost."""

    # The thread.
    def subscribed(self) -> bool:
        """Whether the subscription is up in this process (starting the thread if needed)."""
        if self._pid != os.getpid():  # first use, or a forked worker
            self._start()
        return self._subscribed

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid, self._subscribed = os.getpid(), False
            threading.Thread(
                target=self._run, name=f"pubsub:{self.channel}", daemon=True
            ).start()

    def _set_subscribed(self, value: bool) -> None:
        self._subscribed = value
        self.state_changed(value)

    def _run(self) -> None:
        pid, pause = os.getpid(), 0.5
        while self._pid == pid and self.wanted():
            try:
                client = redis.Redis.from_url(
                    self.url,
                    socket_timeout=5,
                    socket_connect_timeout=2,
                    health_check_interval=5,
                )
                with client.pubsub() as pubsub:
                    pubsub.subscribe(self.channel)
                    while self._pid == pid and self.wanted():
                        message = pubsub.get_message(timeout=1.0)
                        if message is None:
                            continue
                        if message["type"] == "subscribe":
                            self._set_subscribed(True)
                            pause = 0.5
                        elif message["type"] == "message":
                            self.received(message["data"])
            except Exception as exc:  # noqa: BLE001 - any failure: subscribe again later
                if self._subscribed:
                    log.warning(
                        "%s: unsubscribed until Redis answers: %s", self.channel, exc
                    )
                self._set_subscribed(False)
                time.sleep(pause)
                pause = min(pause * 2, 10.0)
        with self._lock:  # nothing uses it any more: a later use starts a new thread
            if self._pid == pid:
                self._pid, self._subscribed = None, False

    def client(self) -> redis.Redis:
        """This process's client for publishing (short timeouts: a publisher never waits long)."""
        if self._publisher is None or self._publisher_pid != os.getpid():
            self._publisher = redis.Redis.from_url(
                self.url, socket_timeout=0.5, socket_connect_timeout=0.5
            )
            self._publisher_pid = os.getpid()
        return self._publisher

    def publish(self, data: bytes) -> bool:
        """Publish ``data`` on the channel; False (logged) when Redis did not take it."""
        try:
            self.client().publish(self.channel, data)
        except Exception as exc:  # noqa: BLE001 - the listeners notice the same outage
            log.warning("could not publish on %s: %s", self.channel, exc)
            return False
        return True
