"""POST /api/v1/metrics: a pipeline's token with the ingest scope sends daily rows; every other
credential is refused; bad rows are listed by index and field with nothing written; a retry with
the same Idempotency-Key writes nothing twice. In an organization of its own (the golden numbers
stay as other tests expect them)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa

from data.db import get_database
from data.models import (
    AuditLog,
    CampaignDeployment,
    Organization,
    PerformanceMetric,
    PlatformDeployment,
)
from data.writes.api_tokens import create_token
from tests.api.conftest import bearer, request_token
from tests.factories import add_user

PATH = "/api/v1/metrics"


@pytest.fixture(scope="module")
def plant(app):
    """Two organizations, each with a campaign on two deployments and users with tokens."""
    made = {}
    with app.server.app_context(), get_database().session_scope() as session:
        for name in ("plant", "rival"):
            org = Organization(slug=f"{name}-{uuid.uuid4().hex[:6]}", name=name.title())
            session.add(org)
            session.flush()
            campaign = CampaignDeployment(
                organization_id=org.id, name=f"{name} campaign", status="active"
            )
            session.add(campaign)
            session.flush()
            deployments = []
            for platform in ("meta", "tiktok"):
                deployment = PlatformDeployment(
                    organization_id=org.id,
                    campaign_id=campaign.id,
                    platform=platform,
                    external_id=f"{org.slug}-{platform}",
                )
                session.add(deployment)
                session.flush()
                deployments.append(deployment.id)
            users, tokens = {}, {}
            for role in ("viewer", "analyst"):
                user = add_user(session, org.id, role, f"{role}@{org.slug}.test")
                users[role] = user
            for scope in ("read", "read+write", "ingest"):
                _token, plaintext = create_token(
                    session, users["analyst"].id, f"{scope} pipe", scope=scope
                )
                tokens[scope] = plaintext
            _token, tokens["viewer-ingest"] = create_token(
                session, users["viewer"].id, "viewer pipe", scope="ingest"
            )
            made[name] = {
                "org": org.id,
                "slug": org.slug,
                "deployments": deployments,
                "tokens": tokens,
                "analyst": users["analyst"].email,
            }
    return made


def rows_of(app, org_id) -> list[tuple]:
    with app.server.app_context(), get_database().session_scope() as session:
        return [
            tuple(row)
            for row in session.execute(
                sa.select(
                    PerformanceMetric.platform_deployment_id,
                    PerformanceMetric.date,
                    PerformanceMetric.clicks,
                    PerformanceMetric.spend,
                )
                .where(PerformanceMetric.organization_id == org_id)
                .order_by(
                    PerformanceMetric.platform_deployment_id, PerformanceMetric.date
                )
            )
        ]


def audits(app, org_id) -> int:
    with app.server.app_context(), get_database().session_scope() as session:
        return session.scalar(
            sa.select(sa.func.count()).where(
                AuditLog.organization_id == org_id,
                AuditLog.action == "metrics_ingested",
            )
        )


def send(api, token: str, rows, **headers):
    return api.post(PATH, json={"rows": rows}, headers={**bearer(token), **headers})


def test_an_ingest_token_sends_rows_and_a_revision_replaces_them(app, api, plant):
    mine = plant["plant"]
    meta, tiktok = mine["deployments"]
    token = mine["tokens"]["ingest"]
    first = send(
        api,
        token,
        [
            {
                "platform_deployment_id": meta,
                "date": "2026-10-30",
                "clicks": 4,
                "spend": "10.25",
            },
            {"external_id": f"{mine['slug']}-tiktok", "date": "2026-10-30", "spend": 3},
        ],
    )
    assert first.status_code == 200, first.get_data(as_text=True)
    assert first.json["data"] == {
        "rows": 2, "inserted": 2, "updated": 0, "days": 1,
        "first_date": "2026-10-30", "last_date": "2026-10-30",
    }  # fmt: skip
    revised = send(
        api,
        token,
        [
            {
                "platform_deployment_id": meta,
                "date": "2026-10-30",
                "clicks": 5,
                "spend": 12.5,
            }
        ],
    )
    assert revised.json["data"]["updated"] == 1
    assert rows_of(app, mine["org"]) == [
        (meta, dt.date(2026, 10, 30), 5, Decimal("12.50")),
        (tiktok, dt.date(2026, 10, 30), 0, Decimal("3.00")),
    ]
    assert audits(app, mine["org"]) == 2  # one per batch
    # The token reads too (an ingest token is read and send metrics).
    assert api.get("/api/v1/summary", headers=bearer(token)).status_code == 200


def test_every_other_credential_is_refused_and_nothing_is_written(app, api, plant):
    mine = plant["plant"]
    row = [{"platform_deployment_id": mine["deployments"][0], "date": "2026-10-01"}]
    before = rows_of(app, mine["org"])
    access = request_token(api, mine["analyst"]).json["access_token"]
    for token in (mine["tokens"]["read"], mine["tokens"]["read+write"], access):
        refused = send(api, token, row)
        assert refused.status_code == 403, refused.get_data(as_text=True)
        assert refused.json["error"]["code"] == "insufficient_scope"
        assert refused.headers["WWW-Authenticate"].endswith('scope="ingest"')
    viewer = send(api, mine["tokens"]["viewer-ingest"], row)
    assert (viewer.status_code, viewer.json["error"]["code"]) == (403, "forbidden")
    assert api.post(PATH, json={"rows": row}).status_code == 401
    assert rows_of(app, mine["org"]) == before


def test_bad_rows_are_listed_by_index_and_field_and_nothing_is_written(app, api, plant):
    mine, rival = plant["plant"], plant["rival"]
    meta = mine["deployments"][0]
    before, audited = rows_of(app, mine["org"]), audits(app, mine["org"])
    answer = send(
        api,
        mine["tokens"]["ingest"],
        [
            {"platform_deployment_id": meta, "date": "2026-10-02", "clicks": 1},
            {"platform_deployment_id": rival["deployments"][0], "date": "2026-10-02"},
            {"platform_deployment_id": meta, "date": "2026-10-03", "spend": -1},
            {"platform_deployment_id": meta, "date": "2026-10-04", "revenue": "lots"},
            {"platform_deployment_id": meta, "date": "2099-01-01"},
            {"platform_deployment_id": meta, "date": "2026-10-02"},
        ],
    )
    assert answer.status_code == 400
    error = answer.json["error"]
    assert error["code"] == "invalid_rows" and error["details"]["total"] == 5
    assert [(e["row"], e["field"]) for e in error["details"]["errors"]] == [
        (1, "platform_deployment_id"),
        (2, "spend"),
        (3, "revenue"),
        (4, "date"),
        (5, "date"),
    ]
    assert (
        error["details"]["errors"][0]["message"]
        == "No such deployment in your organization."
    )
    assert rows_of(app, mine["org"]) == before
    assert audits(app, mine["org"]) == audited
    assert rows_of(app, rival["org"]) == []


@pytest.mark.parametrize(
    "body",
    [
        {"rows": []},
        {"rows": "x"},
        {"rows": [{}] * 10_001},
        {"rows": [1]},
        {"lines": []},
    ],
    ids=["empty", "text", "too-many", "not-objects", "unknown-field"],
)
def test_a_malformed_batch_is_a_400(app, api, plant, body):
    answer = api.post(
        PATH, json=body, headers=bearer(plant["plant"]["tokens"]["ingest"])
    )
    assert answer.status_code == 400, answer.get_data(as_text=True)[:300]


def test_ten_thousand_rows_fit_and_a_bigger_body_is_a_413(app, api, plant):
    mine = plant["plant"]
    meta, tiktok = mine["deployments"]
    first = dt.date(2000, 1, 1)
    rows = [
        {
            "platform_deployment_id": dep,
            "date": (first + dt.timedelta(days=k)).isoformat(),
            "impressions": 1234567,
            "clicks": 12345,
            "conversions": 123,
            "spend": "1234.56",
            "revenue": "2345.67",
        }
        for dep in (meta, tiktok)
        for k in range(5000)
    ]
    answer = send(api, mine["tokens"]["ingest"], rows)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.json["data"]["rows"] == 10_000
    huge = json.dumps({"rows": rows, "pad": "x" * (9 * 1024 * 1024)})
    too_big = api.post(
        PATH,
        data=huge,
        content_type="application/json",
        headers=bearer(mine["tokens"]["ingest"]),
    )
    assert too_big.status_code == 413


def test_a_retry_with_the_same_key_writes_once(app, api, plant):
    mine = plant["plant"]
    row = [
        {
            "platform_deployment_id": mine["deployments"][1],
            "date": "2026-09-01",
            "spend": "1",
        }
    ]
    key = {"Idempotency-Key": uuid.uuid4().hex}
    before = audits(app, mine["org"])
    first = send(api, mine["tokens"]["ingest"], row, **key)
    again = send(api, mine["tokens"]["ingest"], row, **key)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json == first.json
    assert audits(app, mine["org"]) == before + 1
