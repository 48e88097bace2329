"""Whole callback responses in the cache: a repeat sends no data SQL, every scope and encoding gets
its own answer, a data change expires it, per-user callbacks are never shared, the guard still
runs first."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest
import sqlalchemy as sa
from prometheus_client import REGISTRY

from data.db import get_database
from data.filters import DateRange
from data.models import Organization
from data.reads.overview import kpi_summary
from data.scope import Scope
from data.writes.organizations import set_fee_rate
from tests.apps import call_callback, make_app, signed_in
from tests.redis_server import private_redis
from tests.statements import statements_sent

# A fee change re-prices the days from its date on: from the first day the test reads.
FEE_FROM = dt.date(2026, 10, 3)


def overview_values(start: str, end: str) -> dict:
    return {
        "overview-dates.start_date": start,
        "overview-dates.end_date": end,
        "overview-platforms.value": [],
        "overview-granularity.value": "day",
        "shell-theme.data": "light",
    }


def _session_user_query(statement: str) -> bool:
    """Flask-Login loads the signed-in user and their organization on every request."""
    return "FROM users" in statement or statement.startswith("SELECT organizations.id,")


def data_statements(engine: sa.Engine):
    """The SQL sent while the block runs, but the signed-in user's own row (every request)."""
    return statements_sent(engine, keep=lambda s: not _session_user_query(s))


@pytest.fixture(scope="module", params=["memory", "redis"])
def cached_app(request, ops_world):
    url, world = ops_world
    if request.param == "memory":
        yield make_app(url), world
        return
    with private_redis() as (redis_url, _process):
        yield make_app(url, REDIS_URL=redis_url), world


def _post(client, payload: dict, **headers):
    token = client.get_cookie("_csrf_token")
    headers = {"X-CSRFToken": token.value, **headers} if token else headers
    return client.post("/_dash-update-component", json=payload, headers=headers)


def _payload(app, output_id: str, values: dict) -> dict:
    """The payload call_callback would send (to replay it with other headers or clients)."""
    captured = {}

    class Recorder:
        def get_cookie(self, _name):
            return None

        def post(self, _path, json, headers):
            captured.update(json)

    call_callback(app, Recorder(), output_id, values)
    return captured


def test_a_repeated_callback_sends_no_data_sql_and_the_same_answer(cached_app):
    app, _world = cached_app
    client = signed_in(app, "acme", "viewer")
    engine = get_database_engine(app)
    first = call_callback(
        app, client, "overview-kpis", overview_values("2026-10-01", "2026-10-20")
    )
    with data_statements(engine) as seen:
        second = call_callback(
            app, client, "overview-kpis", overview_values("2026-10-01", "2026-10-20")
        )
    assert first.status_code == second.status_code == 200
    assert second.get_data() == first.get_data()
    assert seen == []
    with data_statements(engine) as seen:
        other = call_callback(
            app, client, "overview-kpis", overview_values("2026-10-02", "2026-10-20")
        )
    assert other.status_code == 200 and seen  # other inputs, other answer
    assert other.get_data() != first.get_data()


def test_an_answer_is_still_served_the_next_day(cached_app, monkeypatch):
    """No key holds the date: at midnight every organization's answers would miss together."""
    app, _world = cached_app
    client = signed_in(app, "acme", "viewer")
    values = overview_values("2026-09-01", "2026-09-20")
    monkeypatch.setitem(app.server.config, "KIKI_TODAY", "2026-11-01")
    first = call_callback(app, client, "overview-kpis", values)
    monkeypatch.setitem(app.server.config, "KIKI_TODAY", "2026-11-02")
    hits = _response_hits()
    with data_statements(get_database_engine(app)) as seen:
        second = call_callback(app, client, "overview-kpis", values)
    assert first.status_code == second.status_code == 200
    assert second.get_data() == first.get_data()
    assert seen == []
    assert (
        _response_hits() == hits + 1
    )  # the stored answer, not one rebuilt from cached reads


def _response_hits() -> float:
    return _read_results("callback_response")["hit"]


ROLLUP_READS = ("kpi_summary", "revenue_trend", "platform_breakdown")


def _read_results(read: str) -> dict[str, float]:
    """kiki_cache_reads_total of one read, by result."""
    return {
        result: REGISTRY.get_sample_value(
            "kiki_cache_reads_total", {"read": read, "result": result}
        )
        or 0.0
        for result in ("hit", "miss", "error", "bypass")
    }


def test_rollup_reads_behind_a_cached_answer_get_no_entries_of_their_own(cached_app):
    """The answer's own entry is what a repeat finds: its cheap rollup reads are not cached a
    second time as frames. The ranking over raw rows and direct reads (API, exports) still are."""
    app, world = cached_app
    client = signed_in(app, "acme", "viewer")
    values = overview_values("2026-08-03", "2026-08-21")
    rollups = {read: _read_results(read) for read in ROLLUP_READS}
    top = _read_results("top_campaigns")
    assert call_callback(app, client, "overview-kpis", values).status_code == 200
    assert call_callback(app, client, "overview-top", values).status_code == 200
    assert {read: _read_results(read) for read in ROLLUP_READS} == rollups
    assert _read_results("top_campaigns")["miss"] == top["miss"] + 1

    before = _read_results("kpi_summary")
    scope = Scope(world["orgs"]["acme"], "viewer")
    rng = DateRange(dt.date(2026, 8, 3), dt.date(2026, 8, 21))
    with app.server.test_request_context(), get_database().session_scope() as session:
        first = kpi_summary(session, scope, rng)
        second = kpi_summary(session, scope, rng)
    after = _read_results("kpi_summary")
    assert (after["miss"], after["hit"]) == (before["miss"] + 1, before["hit"] + 1)
    assert second.equals(first)


def get_database_engine(app) -> sa.Engine:
    return app.server.extensions["kiki_engines"]["primary"]


def test_each_organization_and_role_gets_its_own_answer(cached_app):
    app, _world = cached_app
    values = overview_values("2026-10-05", "2026-10-25")
    analyst = call_callback(
        app, signed_in(app, "acme", "analyst"), "overview-kpis", values
    )
    viewer = call_callback(
        app, signed_in(app, "acme", "viewer"), "overview-kpis", values
    )
    other = call_callback(
        app, signed_in(app, "globex", "viewer"), "overview-kpis", values
    )
    assert analyst.json["response"]["overview-exports"]["children"] is not None
    assert viewer.json["response"]["overview-exports"]["children"] is None
    acme_kpis = json.dumps(viewer.json["response"]["overview-kpis"])
    globex_kpis = json.dumps(other.json["response"]["overview-kpis"])
    assert acme_kpis != globex_kpis


def test_a_data_change_expires_the_organizations_answers(cached_app):
    app, world = cached_app
    acme = world["orgs"]["acme"]
    client = signed_in(app, "acme", "viewer")
    values = overview_values("2026-10-03", "2026-10-24")
    before = call_callback(app, client, "overview-kpis", values)
    with app.server.app_context(), get_database().session_scope() as session:
        old = session.get(Organization, acme).fee_rate
        set_fee_rate(session, Scope(acme, "admin"), "41", effective_from=FEE_FROM)
    try:
        with data_statements(get_database_engine(app)) as seen:
            after = call_callback(app, client, "overview-kpis", values)
        assert seen  # recomputed, not served from before the change
        kpis = json.dumps(after.json["response"]["overview-kpis"])
        assert kpis != json.dumps(before.json["response"]["overview-kpis"])
    finally:
        with app.server.app_context(), get_database().session_scope() as session:
            set_fee_rate(
                session, Scope(acme, "admin"), str(old * 100), effective_from=FEE_FROM
            )


def test_gzip_and_plain_answers_are_cached_apart_and_agree(cached_app):
    app, _world = cached_app
    client = signed_in(app, "acme", "viewer")
    payload = _payload(
        app, "overview-kpis", overview_values("2026-10-06", "2026-10-26")
    )
    packed = [_post(client, payload, **{"Accept-Encoding": "gzip"}) for _ in range(2)]
    plain = [_post(client, payload) for _ in range(2)]
    assert [r.headers.get("Content-Encoding") for r in packed] == ["gzip", "gzip"]
    assert [r.headers.get("Content-Encoding") for r in plain] == [None, None]
    assert packed[0].get_data() == packed[1].get_data()
    assert gzip.decompress(packed[1].get_data()) == plain[1].get_data()
    assert plain[0].get_data() == plain[1].get_data()


def test_callbacks_that_show_the_user_are_never_shared(cached_app):
    app, _world = cached_app
    values = {"_pages_location.pathname": "/"}
    viewer = call_callback(app, signed_in(app, "acme", "viewer"), "shell-user", values)
    analyst = call_callback(
        app, signed_in(app, "acme", "analyst"), "shell-user", values
    )
    assert "Viewer" in viewer.get_data(as_text=True)
    assert "Analyst" in analyst.get_data(as_text=True)
    assert "Viewer" not in analyst.get_data(as_text=True)


def test_the_guard_runs_before_the_cache(cached_app):
    app, _world = cached_app
    payload = _payload(
        app, "overview-kpis", overview_values("2026-10-07", "2026-10-27")
    )
    assert _post(signed_in(app, "acme", "viewer"), payload).status_code == 200
    anonymous = app.server.test_client()
    refused = anonymous.post("/_dash-update-component", json=payload)
    assert refused.status_code == 401
    assert "overview-kpis" not in refused.get_data(as_text=True)


def test_identical_misses_compute_once_and_share_the_answer(cached_app, monkeypatch):
    import inspect
    import threading
    import time

    app, _world = cached_app
    key = next(k for k in app.callback_map if "overview-kpis." in k)
    module = inspect.unwrap(app.callback_map[key]["callback"]).__globals__
    calls = []
    real = module["kpi_summary"]

    def slow_kpis(*args, **kwargs):
        calls.append(1)
        time.sleep(0.4)  # still computing when the second request arrives
        return real(*args, **kwargs)

    monkeypatch.setitem(module, "kpi_summary", slow_kpis)
    payload = _payload(
        app, "overview-kpis", overview_values("2026-10-08", "2026-10-28")
    )
    clients = [signed_in(app, "acme", "viewer") for _ in range(2)]
    answers = [None, None]

    def ask(n):
        answers[n] = _post(clients[n], payload)

    first = threading.Thread(target=ask, args=(0,))
    first.start()
    deadline = time.monotonic() + 10
    while not calls and time.monotonic() < deadline:  # the first holds the lock now
        time.sleep(0.01)
    ask(1)
    first.join()
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].get_data() == answers[1].get_data()
    assert len(calls) == 1


def test_a_waiter_computes_itself_when_the_lock_holder_never_answers(
    cached_app, monkeypatch
):
    from web import callback_cache

    app, _world = cached_app
    monkeypatch.setattr(callback_cache, "WAIT_SECONDS", 0.2)
    monkeypatch.setattr(callback_cache.cache, "add", lambda *a, **k: False)
    client = signed_in(app, "acme", "viewer")
    response = call_callback(
        app, client, "overview-kpis", overview_values("2026-10-09", "2026-10-29")
    )
    assert response.status_code == 200
    assert response.json["response"]["overview-trend"]["figure"]["data"]


def _stored_answers(app) -> dict:
    """The response cache's entries: key -> (generation, headers, body, fresh until)."""
    from data.cache import cache

    backend = cache.cache
    if hasattr(backend, "_write_client"):
        prefix = backend.key_prefix
        keys = [
            k.decode()[len(prefix) :]
            for k in backend._write_client.scan_iter(f"{prefix}response:*")
            if not k.endswith(b":computing")
        ]
    else:
        keys = [k for k in backend._cache if k.startswith("response:")]
        keys = [k for k in keys if not k.endswith(":computing")]
    return {k: cache.get(k) for k in keys}


def _age_answers(app, seconds: float) -> None:
    """Make every stored answer go stale ``seconds`` ago (same generation, same body)."""
    import time

    from data.cache import cache

    with app.server.app_context():
        for key, entry in _stored_answers(app).items():
            cache.set(key, (*entry[:3], time.time() - seconds), timeout=60)


def test_answers_stay_fresh_for_the_timeout_give_or_take_a_fifth(cached_app):
    import time

    app, _world = cached_app
    client = signed_in(app, "acme", "viewer")
    before = time.time()
    bodies = set()
    for day in range(1, 9):
        values = overview_values(f"2026-09-{day:02d}", "2026-10-20")
        response = call_callback(app, client, "overview-kpis", values)
        assert response.status_code == 200
        bodies.add(response.get_data())
    after = time.time()
    with app.server.app_context():
        ends = [e[3] for e in _stored_answers(app).values() if e[2] in bodies]
    timeout = app.server.config["CACHE_TIMEOUT"]
    assert len(ends) == 8
    assert all(before + 0.8 * timeout <= end <= after + 1.2 * timeout for end in ends)
    assert len({round(end, 3) for end in ends}) > 1  # not one expiry for all of them


def test_a_stale_answer_is_served_while_another_request_refreshes_it(
    cached_app, monkeypatch
):
    from web import callback_cache

    app, _world = cached_app
    client = signed_in(app, "acme", "viewer")
    engine = get_database_engine(app)
    values = overview_values("2026-10-03", "2026-10-23")
    first = call_callback(app, client, "overview-kpis", values)
    assert first.status_code == 200
    _age_answers(app, 1)
    # Someone else holds the refresh lock: the stale answer comes back, no data SQL is sent.
    monkeypatch.setattr(callback_cache.cache, "add", lambda *a, **k: False)
    with data_statements(engine) as seen:
        stale = call_callback(app, client, "overview-kpis", values)
    assert stale.status_code == 200 and stale.get_data() == first.get_data()
    assert seen == []


def test_the_first_request_to_find_an_answer_stale_recomputes_it(cached_app):
    import time

    app, _world = cached_app
    client = signed_in(app, "acme", "viewer")
    engine = get_database_engine(app)
    values = overview_values("2026-10-04", "2026-10-24")
    assert call_callback(app, client, "overview-kpis", values).status_code == 200
    _age_answers(app, 1)
    refreshed = call_callback(app, client, "overview-kpis", values)
    assert refreshed.status_code == 200
    with (
        app.server.app_context()
    ):  # computed again (from the cached reads) and stored fresh
        mine = [
            e for e in _stored_answers(app).values() if e[2] == refreshed.get_data()
        ]
    assert mine and all(e[3] > time.time() for e in mine)
    with data_statements(engine) as seen:
        again = call_callback(app, client, "overview-kpis", values)
    assert again.get_data() == refreshed.get_data() and seen == []


def test_a_stale_answer_of_an_older_generation_is_never_served(cached_app, monkeypatch):
    from web import callback_cache

    app, world = cached_app
    client = signed_in(app, "acme", "viewer")
    values = overview_values("2026-10-05", "2026-10-25")
    first = call_callback(app, client, "overview-kpis", values)
    assert first.status_code == 200
    _age_answers(app, 1)
    with app.server.app_context():
        from data.cache import invalidate_organization

        invalidate_organization(world["orgs"]["acme"])
    monkeypatch.setattr(callback_cache.cache, "add", lambda *a, **k: False)
    monkeypatch.setattr(callback_cache, "WAIT_SECONDS", 0.1)
    engine = get_database_engine(app)
    with data_statements(engine) as seen:
        answer = call_callback(app, client, "overview-kpis", values)
    assert (
        answer.status_code == 200 and seen
    )  # computed, not the old generation's answer
