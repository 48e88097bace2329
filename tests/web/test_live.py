"""GET /live/events: tenancy, resume, heartbeats, revocation, fan-out over real Redis, and the event
that follows a committed write (web/live.py, data/live.py, data/live_broker.py)."""

from __future__ import annotations

import json
import secrets
import time

import pytest
import redis
import sqlalchemy as sa

from data.db import get_database
from data.live_broker import LocalBroker, RedisBroker, end_all_streams
from data.models import User
from data.writes.transaction import write_transaction
from tests.apps import OVERVIEW_INPUTS, call_callback, make_app, signed_in
from tests.auth.support import member_factory
from tests.live_writes import add_revenue, notify
from tests.services import redis_url
from web.live import PATH

FAST = {"LIVE_HEARTBEAT_SECONDS": 0.05, "LIVE_STREAM_SECONDS": 60}
OVERVIEW = OVERVIEW_INPUTS


class Reader:
    """One open stream, read message by message (each yield of the view is one message)."""

    def __init__(self, client, headers=None, query: str = "") -> None:
        self.response = client.get(PATH + query, headers=headers or {}, buffered=False)
        self.chunks = iter(self.response.response)

    def next(self) -> dict:
        block = next(self.chunks)
        block = block.decode() if isinstance(block, bytes) else block
        message: dict = {"raw": block}
        for line in block.strip("\n").split("\n"):
            field, _, value = line.partition(": ")
            if field == "":
                message["comment"] = value
            elif field == "data":
                message["data"] = json.loads(value)
            else:
                message[field] = value
        return message

    def events(self, seconds: float = 5.0, until=None) -> list[dict]:
        """Named events read for ``seconds`` or until one satisfies ``until``."""
        seen, deadline = [], time.monotonic() + seconds
        while time.monotonic() < deadline:
            message = self.next()
            if "event" in message:
                seen.append(message)
                if until and until(message):
                    break
        return seen

    def close(self) -> None:
        self.response.close()


def _open(client, **kwargs) -> Reader:
    reader = Reader(client, **kwargs)
    assert reader.response.status_code == 200
    assert reader.response.mimetype == "text/event-stream"
    assert reader.next()["raw"].startswith("retry: ")
    return reader


@pytest.fixture
def members(local_app):
    app, world = local_app
    yield from member_factory(app, world)


@pytest.fixture(scope="module")
def local_app(ops_world):
    url, world = ops_world
    app = make_app(url, **FAST)
    yield app, world
    app.server.extensions["kiki_db"].engine.dispose()


def test_anonymous_is_refused_with_401(local_app):
    app, _world = local_app
    response = app.server.test_client().get(PATH)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_the_embedded_default_is_in_process(local_app):
    app, _world = local_app
    assert isinstance(app.server.extensions["kiki_live"], LocalBroker)


def test_a_committed_write_reaches_its_organization_only(local_app):
    app, world = local_app
    acme, globex = world["orgs"]["acme"], world["orgs"]["globex"]
    ours = _open(signed_in(app, "acme", "viewer"))
    theirs = _open(signed_in(app, "globex", "viewer"))
    assert ours.events(1, until=lambda m: m["event"] == "ready")
    assert theirs.events(1, until=lambda m: m["event"] == "ready")
    notify(app, globex, "viewer@globex.test")
    add_revenue(app, acme)
    got = ours.events(2, until=lambda m: m["event"] == "invalidate")
    assert [m["data"]["topics"] for m in got if m["event"] == "invalidate"] == [
        ["metrics"]
    ]
    their_events = theirs.events(2, until=lambda m: m["event"] == "invalidate")
    assert [m["data"]["topics"] for m in their_events] == [["notifications"]]
    # Nothing of globex's ever reached acme's stream, and the other way round.
    assert not [m for m in ours.events(0.3) if m["event"] == "invalidate"]
    assert not [m for m in theirs.events(0.3) if m["event"] == "invalidate"]
    ours.close()
    theirs.close()


def test_a_query_parameter_cannot_choose_the_organization(local_app):
    app, world = local_app
    globex = world["orgs"]["globex"]
    broker = app.server.extensions["kiki_live"]
    reader = _open(
        signed_in(app, "acme", "viewer"),
        query=f"?organization_id={globex}&org={globex}&organization={globex}",
    )
    reader.events(1, until=lambda m: m["event"] == "ready")
    broker.publish(globex, ["campaigns"])
    assert not [m for m in reader.events(0.5) if m["event"] != "ready"]
    reader.close()


def test_last_event_id_resumes_and_a_gap_beyond_the_buffer_resets(local_app):
    app, world = local_app
    acme = world["orgs"]["acme"]
    broker = app.server.extensions["kiki_live"]
    first = broker.publish(acme, ["metrics"])
    broker.publish(acme, ["campaigns"])
    broker.publish(acme, ["notifications"])
    client = signed_in(app, "acme", "viewer")
    resumed = _open(client, headers={"Last-Event-ID": str(first.id)})
    got = resumed.events(1, until=lambda m: m["data"]["topics"] == ["notifications"])
    assert [(m["event"], m["data"]["topics"]) for m in got] == [
        ("invalidate", ["campaigns"]),
        ("invalidate", ["notifications"]),
    ]
    assert int(got[-1]["id"]) == first.id + 2
    resumed.close()
    # A fresh EventSource cannot set the header: the query parameter does the same.
    by_query = _open(client, query=f"?lastEventId={first.id + 1}")
    assert by_query.events(1, until=lambda m: True)[0]["data"]["topics"] == [
        "notifications"
    ]
    by_query.close()
    for _ in range(600):  # more than the buffer keeps
        broker.publish(acme, ["metrics"])
    gap = _open(client, headers={"Last-Event-ID": str(first.id)})
    reset = gap.events(1, until=lambda m: True)[0]
    assert reset["event"] == "reset" and int(reset["id"]) == broker.last_id(acme)
    gap.close()
    ahead = _open(client, headers={"Last-Event-ID": str(broker.last_id(acme) + 50)})
    assert ahead.events(1, until=lambda m: True)[0]["event"] == "reset"
    ahead.close()


def test_a_stream_ends_after_its_lifetime(local_app, monkeypatch):
    """The browser then reconnects through the guard (session limits apply again)."""
    app, _world = local_app
    monkeypatch.setitem(app.server.config, "LIVE_STREAM_SECONDS", 0.2)
    response = signed_in(app, "acme", "viewer").get(PATH)  # read to its end
    body = response.get_data(as_text=True)
    assert body.startswith("retry: ") and "event: ready" in body
    assert ": heartbeat" in body


def test_heartbeats_and_headers(local_app):
    app, _world = local_app
    reader = _open(
        signed_in(app, "acme", "viewer"), headers={"Accept-Encoding": "gzip"}
    )
    headers = reader.response.headers
    assert headers["X-Accel-Buffering"] == "no"
    assert headers["Cache-Control"] == "no-store"
    assert "Content-Encoding" not in headers
    reader.next()  # ready
    assert reader.next()["comment"] == "heartbeat"
    reader.close()


def test_a_revoked_session_ends_the_stream(local_app, members):
    app, _world = local_app
    member = members("acme", "viewer")
    from tests.factories import login

    client = app.server.test_client()
    assert login(client, member.email).status_code == 302
    reader = _open(client)
    reader.next()
    with app.server.app_context(), write_transaction(get_database()) as session:
        session.execute(
            sa.update(User)
            .where(User.id == member.id)
            .values(session_epoch=User.session_epoch + 1)
        )
    assert reader.events(3, until=lambda m: m["event"] == "end")[-1]["event"] == "end"
    with pytest.raises(StopIteration):
        reader.next()
    assert not app.server.extensions["kiki_live"].streams.count()


def test_a_closed_stream_leaves_no_queue(local_app):
    app, _world = local_app
    broker = app.server.extensions["kiki_live"]
    before = broker.streams.count()
    reader = _open(signed_in(app, "acme", "viewer"))
    assert broker.streams.count() == before + 1
    reader.close()
    assert broker.streams.count() == before
    # A stream whose first byte was never asked for opened no queue at all.
    signed_in(app, "acme", "viewer").get(PATH, buffered=False).close()
    assert broker.streams.count() == before


def test_streams_end_when_the_process_stops(local_app):
    app, _world = local_app
    reader = _open(signed_in(app, "acme", "viewer"))
    reader.next()  # ready
    end_all_streams()
    with pytest.raises(StopIteration):
        while True:
            assert "event" not in reader.next()  # heartbeats at most, then the end
    assert not app.server.extensions["kiki_live"].streams.count()


def test_no_stale_answer_from_the_callback_cache_after_an_event(local_app):
    """The event is published after the organization's generation moved: a page that refreshes
    on it (the same body as before, even) computes a new answer."""
    app, world = local_app
    acme = world["orgs"]["acme"]
    client = signed_in(app, "acme", "viewer")
    reader = _open(client)
    reader.events(1, until=lambda m: m["event"] == "ready")
    before = call_callback(app, client, "overview-kpis", OVERVIEW).json
    assert call_callback(app, client, "overview-kpis", OVERVIEW).json == before
    add_revenue(app, acme, "777")
    reader.events(2, until=lambda m: m["event"] == "invalidate")
    after = call_callback(app, client, "overview-kpis", OVERVIEW).json
    assert after != before
    reader.close()


@pytest.fixture(scope="module")
def two_instances(ops_world):
    """Two apps (two instances, or two gunicorn workers) sharing a real Redis."""
    url, world = ops_world
    shared = {
        "REDIS_URL": redis_url(),
        "CACHE_KEY_PREFIX": f"kiki-live-{secrets.token_hex(4)}:",
    }
    apps = [make_app(url, **FAST, **shared) for _ in range(2)]
    yield apps, world
    for app in apps:
        app.server.extensions["kiki_db"].engine.dispose()


def _subscribed(app, seconds: float = 10.0) -> None:
    broker = app.server.extensions["kiki_live"]
    deadline = time.monotonic() + seconds
    while not broker.available():
        assert time.monotonic() < deadline, "never subscribed"
        time.sleep(0.02)


def test_a_write_on_one_instance_reaches_a_stream_on_the_other(two_instances):
    (writer, server), world = two_instances
    acme = world["orgs"]["acme"]
    assert isinstance(server.server.extensions["kiki_live"], RedisBroker)
    reader = _open(signed_in(server, "acme", "viewer"))
    reader.events(1, until=lambda m: m["event"] == "ready")
    _subscribed(server)
    add_revenue(writer, acme)
    got = reader.events(5, until=lambda m: m["event"] == "invalidate")
    assert got[-1]["event"] == "invalidate" and got[-1]["data"]["topics"] == ["metrics"]
    reader.close()


def test_one_subscriber_connection_serves_every_stream(two_instances):
    (_writer, server), _world = two_instances
    broker = server.server.extensions["kiki_live"]
    client = redis.Redis.from_url(redis_url())
    readers = [_open(signed_in(server, "acme", "viewer")) for _ in range(3)]
    for reader in readers:
        reader.next()
    _subscribed(server)
    assert client.pubsub_numsub(broker.subscriber.channel)[0][1] == 1
    for reader in readers:
        reader.close()


def test_redis_ids_resume_across_instances(two_instances):
    (writer, server), world = two_instances
    acme = world["orgs"]["acme"]
    first = writer.server.extensions["kiki_live"].publish(acme, ["metrics"])
    writer.server.extensions["kiki_live"].publish(acme, ["alerts"])
    reader = _open(
        signed_in(server, "acme", "viewer"), headers={"Last-Event-ID": str(first.id)}
    )
    got = reader.events(2, until=lambda m: True)
    assert got[0]["event"] == "invalidate" and got[0]["data"]["topics"] == ["alerts"]
    reader.close()


def test_a_commit_stands_when_redis_is_down(ops_world, caplog):
    url, world = ops_world
    app = make_app(url, REDIS_URL="redis://127.0.0.1:9/0")  # nothing listens there
    try:
        add_revenue(
            app, world["orgs"]["acme"], "1"
        )  # no exception: the write is committed
        add_revenue(app, world["orgs"]["acme"], "-1")
        sent = [r for r in caplog.records if "live event" in r.getMessage()]
        assert (
            len(sent) <= 1
        )  # the second commit skipped Redis (the cache's breaker is open)
        # A stream opened meanwhile ends after its retry line (the page's timed refresh takes
        # over, the browser tries again), never a server error.
        response = signed_in(app, "acme", "viewer").get(PATH)
        assert response.status_code == 200
        assert response.get_data(as_text=True) == "retry: 3000\n\n"
    finally:
        app.server.extensions["kiki_db"].engine.dispose()


def test_a_browser_that_goes_away_frees_its_stream(local_app):
    """Over a real socket: the next heartbeat's write fails, and the stream's queue is gone."""
    import socket
    import threading

    from werkzeug.serving import make_server

    app, _world = local_app
    broker = app.server.extensions["kiki_live"]
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = signed_in(app, "acme", "viewer")
        name = app.server.config["SESSION_COOKIE_NAME"]
        cookie = f"{name}={client.get_cookie(name).value}"
        before = broker.streams.count()
        sock = socket.create_connection(("127.0.0.1", server.server_port))
        sock.sendall(
            f"GET {PATH} HTTP/1.1\r\nHost: localhost\r\nCookie: {cookie}\r\n\r\n".encode()
        )
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        deadline = time.monotonic() + 5
        while broker.streams.count() == before:
            assert time.monotonic() < deadline, "the stream never opened"
            time.sleep(0.01)
        sock.close()
        deadline = time.monotonic() + 5
        while broker.streams.count() > before:
            assert time.monotonic() < deadline, "the stream outlived its browser"
            time.sleep(0.05)
    finally:
        server.shutdown()


def test_a_bulk_insert_names_its_organization(local_app):
    """An ingest's shape: one INSERT of many rows through session.execute (no ORM objects)."""
    import datetime as dt

    from data.models import PerformanceMetric

    app, world = local_app
    acme = world["orgs"]["acme"]
    reader = _open(signed_in(app, "acme", "viewer"))
    reader.events(1, until=lambda m: m["event"] == "ready")
    with app.server.app_context(), write_transaction(get_database()) as session:
        row = session.scalars(
            sa.select(PerformanceMetric)
            .where(PerformanceMetric.organization_id == acme)
            .order_by(PerformanceMetric.date.desc())
            .limit(1)
        ).one()
        session.execute(
            sa.insert(PerformanceMetric),
            [
                {
                    "organization_id": acme,
                    "campaign_id": row.campaign_id,
                    "platform_deployment_id": row.platform_deployment_id,
                    "platform": row.platform,
                    "date": row.date + dt.timedelta(days=days),
                    "revenue": 10,
                }
                for days in (100, 101)
            ],
        )
    got = reader.events(2, until=lambda m: m["event"] == "invalidate")
    assert got[-1]["event"] == "invalidate" and got[-1]["data"]["topics"] == ["metrics"]
    reader.close()
