"""Read replicas: reads go round-robin to replicas, writes and reads-after-write to the primary,
and a replica that is down falls back to the primary."""

from __future__ import annotations

import logging
import time

import pytest
import sqlalchemy as sa
from flask import current_app, g, jsonify

from auth.access import requires_role
from data.db import db_session, get_database, make_engine, read_session
from data.writes.organizations import set_fee_rate
from tests.apps import call_callback, make_app, signed_in
from tests.data.test_cache import OVERVIEW

DEAD_PG = "postgresql+psycopg://postgres@127.0.0.1:9/kiki"  # nothing listens on port 9


def _engine_name(session) -> str:
    bind = session.get_bind()
    engines = current_app.extensions["kiki_engines"]
    return next(name for name, engine in engines.items() if engine is bind)


def replica_app(url: str, replicas: list[str], **overrides):
    """An app with probe routes: which engine serves reads, and a write then that answer."""
    app = make_app(url, DATABASE_REPLICA_URLS=replicas, **overrides)

    @requires_role("viewer")
    def which():
        return jsonify(engine=_engine_name(read_session()))

    @requires_role("admin")
    def write_then_read():
        session = db_session()
        set_fee_rate(session, g.scope, "20")
        session.commit()
        return jsonify(engine=_engine_name(read_session()))

    app.server.add_url_rule("/_test/which", "test_which", which)
    app.server.add_url_rule("/_test/write", "test_write", write_then_read)
    return app


def test_reads_rotate_over_replicas_and_pages_work(ops_world):
    url, _world = ops_world
    app = replica_app(url, [url, url])
    client = signed_in(app, "acme", "viewer")
    seen = [client.get("/_test/which").json["engine"] for _ in range(4)]
    assert seen == ["replica-1", "replica-2", "replica-1", "replica-2"]
    response = call_callback(app, client, "overview-kpis", OVERVIEW)
    assert response.status_code == 200 and "$3,021.95" in response.get_data(
        as_text=True
    )


def test_reads_after_a_write_go_to_the_primary_for_a_while(ops_world):
    url, _world = ops_world
    app = replica_app(url, [url], REPLICA_LAG_SECONDS=1.0)
    client = signed_in(app, "acme", "admin")
    assert client.get("/_test/which").json["engine"] == "replica-1"
    assert client.get("/_test/write").json["engine"] == "primary"
    assert client.get("/_test/which").json["engine"] == "primary"  # read your writes
    other = signed_in(app, "acme", "viewer")
    assert (
        other.get("/_test/which").json["engine"] == "replica-1"
    )  # only for the writer
    time.sleep(1.1)
    assert client.get("/_test/which").json["engine"] == "replica-1"


def test_a_dead_replica_falls_back_to_the_primary(ops_world, caplog, tmp_path):
    url, _world = ops_world
    dead = DEAD_PG if url.startswith("postgresql") else f"sqlite:///{tmp_path}/no/x.db"
    app = replica_app(url, [dead, url])
    client = signed_in(app, "acme", "viewer")
    with caplog.at_level(logging.WARNING, logger="data.db"):
        seen = [client.get("/_test/which").json["engine"] for _ in range(4)]
        response = call_callback(app, client, "overview-kpis", OVERVIEW)
    assert seen == ["replica-2"] * 4  # the dead one is skipped, then left alone
    assert response.status_code == 200
    warnings = [r for r in caplog.records if "replica-1 unreachable" in r.getMessage()]
    assert len(warnings) == 1
    only_dead = replica_app(url, [dead])
    client = signed_in(only_dead, "acme", "viewer")
    assert client.get("/_test/which").json["engine"] == "primary"
    with only_dead.server.app_context():
        assert get_database().replicas[0].down_until > 0


def test_readyz_and_metrics_show_each_replica(ops_world):
    """Each replica's reachability and lag on /readyz and /metrics; a dead one does not make
    the instance unready (its reads fall back to the primary). The lag itself is measured on a
    real standby in tests/topology; here the replica is the primary, no standby: lag unknown."""
    url, _world = ops_world
    dead = DEAD_PG if url.startswith("postgresql") else "sqlite:////nonexistent/no/x.db"
    app = replica_app(url, [url, dead])
    client = app.server.test_client()
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json["status"] == "ready"
    assert answer.json["replicas"]["replica-1"] == {"status": "ok", "lag_seconds": None}
    assert answer.json["replicas"]["replica-2"]["status"] == "unreachable"
    body = client.get("/metrics").get_data(as_text=True)
    assert 'kiki_replica_up{replica="replica-1"} 1.0' in body
    assert 'kiki_replica_up{replica="replica-2"} 0.0' in body
    assert 'kiki_replica_lag_seconds{replica="replica-2"} NaN' in body


@pytest.mark.postgresql_only
def test_behind_a_transaction_pooler_nothing_is_prepared(ops_world):
    """DB_TRANSACTION_POOLER: psycopg never prepares a statement (the next transaction may run on
    another server connection), and no startup options go out (PgBouncer refuses them)."""
    url, _world = ops_world
    pooled = make_engine(url, transaction_pooler=True)
    direct = make_engine(url)
    try:
        with pooled.connect() as conn, direct.connect() as other:
            assert conn.connection.dbapi_connection.prepare_threshold is None
            assert (
                conn.scalar(sa.text("SHOW jit")) == "on"
            )  # the server's default: no options
            assert other.connection.dbapi_connection.prepare_threshold == 5
            assert other.scalar(sa.text("SHOW jit")) == "off"
    finally:
        pooled.dispose()
        direct.dispose()
