"""Live invalidation events of each organization: numbered, kept for replay, fanned out to open streams.

An event is ``{id, topics}`` and nothing else (no data: the pages re-read through their scoped
callbacks). Ids increase per organization, so a stream that reconnects with ``Last-Event-ID``
gets what it missed from the replay buffer, or a "reset" when the gap is beyond it.

- ``RedisBroker`` (REDIS_URL set): one Lua call numbers the event (INCR), keeps it in a sorted
  set capped at REPLAY events and publishes it on one channel; one subscriber connection per
  process (data/pubsub.py) hands each event to the in-process queues of that organization's
  open streams. A thousand idle streams are a thousand queues, not a thousand connections.
- ``LocalBroker`` (the embedded default): the same within one process, with a ring buffer.
"""

from __future__ import annotations

import collections
import json
import logging
import queue
import threading
import weakref
from dataclasses import dataclass

from data.pubsub import ChannelListener

log = logging.getLogger(__name__)
TOPICS = ("metrics", "campaigns", "notifications", "alerts")
REPLAY = 500  # events kept per organization for reconnects
RESYNC = "resync"  # put in every queue when the subscription (re)starts: replay from the buffer
CLOSING = "closing"  # put in every queue when the process stops: end the stream, the browser reconnects


@dataclass(frozen=True)
class Event:
    id: int
    topics: tuple[str, ...]


class Stream:
    """One open stream's queue of events (or RESYNC) for one organization."""

    def __init__(self, organization_id: int) -> None:
        self.organization_id = organization_id
        self.queue: queue.SimpleQueue = queue.SimpleQueue()

    def get(self, timeout: float) -> Event | str | None:
        """The next event, RESYNC, or None after ``timeout`` seconds of nothing."""
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None


class Streams:
    """The open streams of this process, by organization."""

    def __init__(self) -> None:
        self._by_org: dict[int, set[Stream]] = collections.defaultdict(set)
        self._lock = threading.Lock()
        _ALL_STREAMS.add(self)

    def open(self, organization_id: int) -> Stream:
        stream = Stream(organization_id)
        with self._lock:
            self._by_org[organization_id].add(stream)
        return stream

    def close(self, stream: Stream) -> None:
        with self._lock:
            streams = self._by_org.get(stream.organization_id)
            if streams is not None:
                streams.discard(stream)
                if not streams:
                    del self._by_org[stream.organization_id]

    def deliver(self, organization_id: int, item: Event | str) -> None:
        with self._lock:
            streams = list(self._by_org.get(organization_id, ()))
        for stream in streams:
            stream.queue.put(item)

    def tell_all(self, item: str) -> None:
        with self._lock:
            organizations = list(self._by_org)
        for organization_id in organizations:
            self.deliver(organization_id, item)

    def count(self) -> int:
        with self._lock:
            return sum(len(streams) for streams in self._by_org.values())


_ALL_STREAMS: weakref.WeakSet[Streams] = weakref.WeakSet()


def end_all_streams() -> None:
    """The process is stopping (deploy/gunicorn.conf.py on SIGTERM): every open stream ends now,
    and its browser reconnects to a process that stays, instead of holding the shutdown until
    gunicorn's graceful timeout."""
    for streams in list(_ALL_STREAMS):
        streams.tell_all(CLOSING)


def clean_topics(topics) -> tuple[str, ...]:
    return tuple(topic for topic in TOPICS if topic in set(topics))


class LocalBroker:
    """Events within this process: per-organization counters and ring buffers."""

    def __init__(self, replay: int = REPLAY) -> None:
        self.streams = Streams()
        self._replay = replay
        self._lock = threading.Lock()
        self._last: dict[int, int] = {}
        self._kept: dict[int, collections.deque[Event]] = {}

    def available(self) -> bool:
        return True

    def open(self, organization_id: int) -> Stream:
        return self.streams.open(organization_id)

    def close(self, stream: Stream) -> None:
        self.streams.close(stream)

    def publish(self, organization_id: int, topics) -> Event | None:
        with self._lock:
            number = self._last.get(organization_id, 0) + 1
            self._last[organization_id] = number
            event = Event(number, clean_topics(topics))
            kept = self._kept.setdefault(
                organization_id, collections.deque(maxlen=self._replay)
            )
            kept.append(event)
        self.streams.deliver(organization_id, event)
        return event

    def last_id(self, organization_id: int) -> int:
        return self._last.get(organization_id, 0)

    def since(self, organization_id: int, last_id: int) -> list[Event] | None:
        """The events after ``last_id``; None when some are no longer kept (a reset)."""
        with self._lock:
            current = self._last.get(organization_id, 0)
            kept = list(self._kept.get(organization_id, ()))
        return _after(kept, last_id, current)


def _after(kept: list[Event], last_id: int, current: int) -> list[Event] | None:
    if last_id == current:
        return []
    if (
        last_id > current
    ):  # numbered by a broker that is gone (a restart, a flushed Redis)
        return None
    missed = [event for event in kept if event.id > last_id]
    if not missed or missed[0].id != last_id + 1:
        return None
    return missed


# KEYS: counter, kept events, channel. ARGV: organization id, topics (JSON list), replay size.
PUBLISH_SCRIPT = """
local id = redis.call('INCR', KEYS[1])
local event = '{"org":' .. ARGV[1] .. ',"id":' .. id .. ',"topics":' .. ARGV[2] .. '}'
redis.call('ZADD', KEYS[2], id, event)
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -tonumber(ARGV[3]) - 1)
redis.call('PUBLISH', KEYS[3], event)
return id
"""


class Subscriber(ChannelListener):
    """This process's one subscription to the events channel, shared by every app using it."""

    def __init__(self, url: str, channel: str) -> None:
        super().__init__(url, channel)
        self.streams = Streams()
        self.brokers: weakref.WeakSet[RedisBroker] = weakref.WeakSet()

    def wanted(self) -> bool:
        return bool(self.brokers)

    def received(self, data: bytes) -> None:
        try:
            message = json.loads(data)
            event = Event(int(message["id"]), clean_topics(message["topics"]))
            organization_id = int(message["org"])
        except (ValueError, KeyError, TypeError):
            log.warning("ignored a malformed live event: %r", data[:200])
            return
        self.streams.deliver(organization_id, event)

    def state_changed(self, subscribed: bool) -> None:
        if subscribed:  # events published while unsubscribed are in the buffer
            self.streams.tell_all(RESYNC)


_SUBSCRIBERS: dict[tuple[str, str], Subscriber] = {}
_SUBSCRIBERS_LOCK = threading.Lock()


def subscriber_for(url: str, channel: str) -> Subscriber:
    with _SUBSCRIBERS_LOCK:
        return _SUBSCRIBERS.setdefault((url, channel), Subscriber(url, channel))


class RedisBroker:
    """Events across processes and instances through Redis (see the module docstring)."""

    def __init__(self, url: str, prefix: str = "kiki:", replay: int = REPLAY) -> None:
        self.prefix, self._replay = prefix, replay
        self.subscriber = subscriber_for(url, f"{prefix}live-events")
        self.subscriber.brokers.add(self)
        self.streams = self.subscriber.streams
        self._script = None

    def available(self) -> bool:
        return self.subscriber.subscribed()

    def open(self, organization_id: int) -> Stream:
        stream = self.streams.open(organization_id)
        self.subscriber.subscribed()  # starts this process's subscription on first use
        return stream

    def close(self, stream: Stream) -> None:
        self.streams.close(stream)

    def _keys(self, organization_id: int) -> tuple[str, str]:
        base = f"{self.prefix}live:{organization_id}"
        return f"{base}:last", f"{base}:events"

    def publish(self, organization_id: int, topics) -> Event:
        """Number, keep and announce one event (raises what Redis raised: data/live.py logs it,
        and skips Redis while the cache's breaker is open)."""
        topics = clean_topics(topics)
        last, events = self._keys(organization_id)
        if self._script is None:
            self._script = self.subscriber.client().register_script(PUBLISH_SCRIPT)
        number = self._script(
            keys=[last, events, self.subscriber.channel],
            args=[int(organization_id), json.dumps(list(topics)), self._replay],
            client=self.subscriber.client(),
        )
        return Event(int(number), topics)

    def last_id(self, organization_id: int) -> int:
        return int(self.subscriber.client().get(self._keys(organization_id)[0]) or 0)

    def since(self, organization_id: int, last_id: int) -> list[Event] | None:
        last, events = self._keys(organization_id)
        with self.subscriber.client().pipeline() as pipe:
            pipe.get(last)
            pipe.zrangebyscore(events, f"({int(last_id)}", "+inf")
            current, rows = pipe.execute()
        kept = []
        for row in rows:
            message = json.loads(row)
            kept.append(Event(int(message["id"]), clean_topics(message["topics"])))
        return _after(kept, last_id, int(current or 0))


def make_broker(redis_url: str | None, prefix: str = "kiki:"):
    """The app's broker: Redis when configured, else this process only."""
    return RedisBroker(redis_url, prefix) if redis_url else LocalBroker()
