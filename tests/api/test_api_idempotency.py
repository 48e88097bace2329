"""Idempotency-Key on the API's POSTs: a retry replays the first answer and writes nothing, a
reused key on another request is 422, and concurrent retries on PostgreSQL write once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from data.db import get_database
from data.models import AuditLog, IdempotencyKey
from tests.api.lifecycle_helpers import API, act, create, row_counts
from tests.data.lifecycle.conftest import campaign_body

KEY = {"Idempotency-Key": "3f0c2a8e-5a4b-4f59-9a55-0d9a3c1b7e21"}


def test_a_retried_create_returns_the_first_answer_and_writes_once(app, api, shop):
    first = create(api, shop, headers=KEY)
    assert first.status_code == 201
    after_first = row_counts(app, shop["org"])
    assert after_first["campaigns"] == 1 and after_first["idempotency_keys"] == 1
    retry = create(api, shop, headers=KEY)
    assert retry.status_code == 201
    assert retry.json == first.json
    assert retry.headers["Location"] == first.headers["Location"]
    assert retry.headers["ETag"] == '"1"'
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert row_counts(app, shop["org"]) == after_first


def test_the_key_is_the_users_own(app, api, shop):
    mine = create(api, shop, headers=KEY)
    theirs = create(api, shop, "analyst2", headers=KEY, name="Their sale")
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json["data"]["campaign_id"] != theirs.json["data"]["campaign_id"]
    assert row_counts(app, shop["org"])["idempotency_keys"] == 2


@pytest.mark.parametrize(
    "second",
    [
        {"json": campaign_body(name="Another name")},  # another body
        {"path": "/campaigns/{id}/submit"},  # another operation
    ],
    ids=["body", "path"],
)
def test_the_same_key_on_another_request_is_422_and_writes_nothing(
    app, api, shop, second
):
    first = create(api, shop, headers=KEY)
    campaign_id = first.json["data"]["campaign_id"]
    before = row_counts(app, shop["org"])
    path = API + second.get("path", "/campaigns").format(id=campaign_id)
    response = api.post(
        path,
        json=second.get("json"),
        headers={**shop["headers"]["analyst"], **KEY},
    )
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "idempotency_key_reused"
    assert error["message"] == (
        "This Idempotency-Key was already used for a different request "
        "(another path or body): use a new key for a new request."
    )
    assert error["details"] == {"field": "Idempotency-Key"}
    assert row_counts(app, shop["org"]) == before


def test_key_order_in_the_body_does_not_make_another_request(app, api, shop):
    body = campaign_body()
    reordered = dict(reversed(list(body.items())))
    headers = {**shop["headers"]["analyst"], **KEY}
    first = api.post(f"{API}/campaigns", json=body, headers=headers)
    again = api.post(f"{API}/campaigns", json=reordered, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_refused_request_keeps_no_key_so_it_can_be_retried(app, api, shop):
    refused = create(api, shop, headers=KEY, budget_amount="0")
    assert refused.status_code == 400
    assert row_counts(app, shop["org"])["idempotency_keys"] == 0
    fixed = create(api, shop, headers=KEY)
    assert fixed.status_code == 201 and "Idempotent-Replayed" not in fixed.headers


def test_a_replayed_action_answers_as_the_first_time(app, api, shop):
    created = create(api, shop)
    campaign_id = created.json["data"]["campaign_id"]
    first = act(api, shop, campaign_id, "submit", "analyst", headers=KEY)
    retry = act(api, shop, campaign_id, "submit", "analyst", headers=KEY)
    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json == first.json
    assert row_counts(app, shop["org"])["requests"] == 1
    unkeyed = act(api, shop, campaign_id, "submit", "analyst")
    assert unkeyed.status_code == 409  # without the key, a second submit is refused


def test_an_expired_key_is_forgotten(app, api, shop):
    create(api, shop, headers=KEY)
    with app.server.app_context(), get_database().session_scope() as session:
        session.execute(
            sa.update(IdempotencyKey).values(
                expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
            )
        )
    later = create(api, shop, headers=KEY, name="Next year")
    assert later.status_code == 201 and "Idempotent-Replayed" not in later.headers
    assert row_counts(app, shop["org"])["idempotency_keys"] == 1


@pytest.mark.parametrize("key", ["", "has space", "é", "k" * 256])
def test_a_malformed_key_is_400(app, api, shop, key):
    before = row_counts(app, shop["org"])
    response = create(api, shop, headers={"Idempotency-Key": key})
    assert response.status_code == 400
    assert response.json["error"]["details"] == {"field": "Idempotency-Key"}
    assert row_counts(app, shop["org"]) == before


@pytest.mark.postgresql_only
def test_concurrent_retries_with_one_key_create_one_campaign(app, shop):
    assert app.server.extensions["kiki_db"].engine.dialect.name == "postgresql"
    calls = 8
    start = threading.Barrier(calls)
    answers, lock = [], threading.Lock()

    def post() -> None:
        client = app.server.test_client()
        start.wait()
        response = client.post(
            f"{API}/campaigns",
            json=campaign_body(),
            headers={**shop["headers"]["analyst"], **KEY},
        )
        with lock:
            answers.append(response)

    threads = [threading.Thread(target=post) for _ in range(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in answers] == [201] * calls
    assert len({r.json["data"]["campaign_id"] for r in answers}) == 1
    replayed = [r for r in answers if r.headers.get("Idempotent-Replayed")]
    assert len(replayed) == calls - 1
    counts = row_counts(app, shop["org"])
    assert (counts["campaigns"], counts["ad_copies"], counts["idempotency_keys"]) == (
        1,
        2,
        1,
    )
    assert counts["audit"] == 1  # one campaign_created


def test_the_api_audit_records_writes_with_their_key(app, api, shop):
    first = create(api, shop, headers=KEY)
    create(api, shop, headers=KEY)
    app.server.extensions["kiki_api_audit"].flush()
    with app.server.app_context(), get_database().session_scope() as session:
        rows = session.scalars(
            sa.select(AuditLog.details)
            .where(
                AuditLog.action == "api_call",
                AuditLog.actor_user_id == shop["ids"]["analyst"],
                AuditLog.target_id == "create_campaign",
            )
            .order_by(AuditLog.id)
        ).all()
        created = session.scalar(
            sa.select(sa.func.count()).where(
                AuditLog.action == "campaign_created",
                AuditLog.target_id == str(first.json["data"]["campaign_id"]),
            )
        )
    assert [(d["method"], d["status"], d["replayed"]) for d in rows] == [
        ("POST", 201, False),
        ("POST", 201, True),
    ]
    assert {d["idempotency_key"] for d in rows} == {KEY["Idempotency-Key"]}
    assert {d["credential"] for d in rows} == {"access token"}
    assert created == 1
