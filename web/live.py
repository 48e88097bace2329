"""GET /live/events: the signed-in user's organization's invalidation events, as Server-Sent Events.

Each event is ``id``, a name and ``{"id", "topics"}``: nothing a page shows, only which topics
changed, so the pages re-read through their own scoped callbacks (assets/live.js). The
organization is the session's (``g.scope``, set by the guard); nothing in the request chooses
it. A reconnect's ``Last-Event-ID`` (or ``?lastEventId=`` from a fresh EventSource) replays the
missed events, or sends ``reset`` when the buffer no longer has them.

The view returns before the first byte is streamed, so the request's context and database
session are closed at once (no stream holds a pooled connection); the generator checks the
session on each heartbeat and ends with ``end`` when it was revoked, and after
LIVE_STREAM_SECONDS, when the browser reconnects through the guard (absolute and idle session
limits apply again). Neither flask-compress (streams and text/event-stream are not compressed,
web/delivery.py) nor the callback cache (callbacks only) touch it; nginx is told not to buffer.
"""

from __future__ import annotations

import json
import logging
import time

from flask import Flask, Response, current_app, g, request
from flask_login import current_user

from auth.access import requires_role
from auth.session_user import still_signed_in
from data.live import EXTENSION
from data.live_broker import CLOSING, RESYNC, TOPICS, Event

log = logging.getLogger(__name__)
PATH = "/live/events"
HEARTBEAT_SECONDS = 15.0
STREAM_SECONDS = 900.0
RETRY_MS = 3000


def init_app(app: Flask) -> None:
    app.add_url_rule(PATH, "live_events", live_events)


def _message(name: str, event_id: int, topics) -> str:
    data = json.dumps({"id": event_id, "topics": list(topics)})
    return f"id: {event_id}\nevent: {name}\ndata: {data}\n\n"


def _last_event_id() -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.args.get("lastEventId")
    try:
        number = int(raw) if raw is not None else None
    except ValueError:
        return None
    return number if number is not None and 0 <= number < 2**53 else None


@requires_role("viewer")
def live_events():
    """The stream (see the module docstring)."""
    app = current_app._get_current_object()
    broker = app.extensions[EXTENSION]
    user = current_user._get_current_object()
    organization_id = g.scope.organization_id
    heartbeat = app.config.get("LIVE_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)
    lifetime = app.config.get("LIVE_STREAM_SECONDS", STREAM_SECONDS)
    last = _last_event_id()

    def catch_up(last_id: int | None):
        """(messages, new last id) from the buffer after ``last_id``; None when the broker
        cannot answer (Redis down): the stream ends, the page falls back to its timed refresh
        and the browser tries again after ``retry``."""
        try:
            return _catch_up(last_id)
        except Exception as exc:  # noqa: BLE001 - any broker failure
            log.info("live stream ended, the broker did not answer: %s", exc)
            return None

    def _catch_up(last_id: int | None):
        if last_id is None:
            current = broker.last_id(organization_id)
            return [_message("ready", current, ())], current
        missed = broker.since(organization_id, last_id)
        if missed is None:
            current = broker.last_id(organization_id)
            return [_message("reset", current, TOPICS)], current
        return [_message("invalidate", e.id, e.topics) for e in missed], (
            missed[-1].id if missed else last_id
        )

    def events():
        nonlocal last
        ends = time.monotonic() + lifetime
        # Opened before the buffer is read, so no event falls between; inside the generator, so
        # a response closed before its first byte leaves no queue behind.
        stream = broker.open(organization_id)
        try:
            yield f"retry: {RETRY_MS}\n\n"
            caught_up = catch_up(last)
            if caught_up is None:
                return
            messages, last = caught_up
            yield from messages
            while True:
                item = stream.get(timeout=heartbeat)
                if isinstance(item, Event):
                    if item.id > last:
                        last = item.id
                        yield _message("invalidate", item.id, item.topics)
                elif item == RESYNC:
                    caught_up = catch_up(last)
                    if caught_up is None:
                        return
                    messages, last = caught_up
                    yield from messages
                elif item == CLOSING:  # this process stops: reconnect elsewhere
                    return
                else:  # quiet for a heartbeat: still wanted, still signed in?
                    with app.app_context():
                        if not still_signed_in(user):
                            yield "event: end\ndata: {}\n\n"
                            return
                    if time.monotonic() >= ends:
                        return
                    yield ": heartbeat\n\n"
        finally:
            broker.close(stream)

    response = Response(events(), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response
