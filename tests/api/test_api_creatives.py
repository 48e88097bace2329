"""GET/POST /api/v1/creatives and GET /api/v1/creatives/{id}: upload by body, ad copy, performance, organizations apart."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from data.db import make_engine
from data.models import AuditLog
from tests import media_corpus as corpus
from tests.api.conftest import bearer, request_token
from tests.media_world import close, media_world


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    app, world, url, _media = media_world(
        tmp_path_factory,
        KIKI_API_RATE_LIMIT="100000 per minute",
        KIKI_API_IP_RATE_LIMIT="100000 per minute",
    )
    client = app.server.test_client()

    def token(slug, role):
        answer = request_token(client, f"{role}@{slug}.test")
        assert answer.status_code == 200
        return bearer(answer.json["access_token"])

    yield {"client": client, "token": token, "world": world, "app": app, "url": url}
    app.server.extensions["kiki_api_audit"].close()
    close(url)


def test_upload_list_one_and_the_other_organization(lab):
    api, analyst = lab["client"], lab["token"]("acme", "analyst")
    content = corpus.jpeg(size=(1200, 628), exif_gps=True)
    created = api.post(
        "/api/v1/creatives?filename=banner.jpg",
        data=content,
        headers={**analyst, "Content-Type": "image/jpeg"},
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    data = created.json["data"]
    assert (data["width"], data["height"], data["kind"]) == (1200, 628, "image")
    assert data["spec_problems"]["google"] == [] and data["spend"] == "0.00"
    again = api.post(
        "/api/v1/creatives?filename=b.jpg",
        data=content,
        headers={**analyst, "Content-Type": "application/octet-stream"},
    )
    assert (
        again.status_code == 200 and again.json["data"]["asset_id"] == data["asset_id"]
    )
    listed = api.get("/api/v1/creatives?sort=roas", headers=analyst)
    assert listed.status_code == 200
    assert data["asset_id"] in [row["asset_id"] for row in listed.json["data"]]
    one = api.get(f"/api/v1/creatives/{data['asset_id']}", headers=analyst)
    assert one.status_code == 200 and one.json["data"]["sha256"] == data["sha256"]
    other = lab["token"]("globex", "admin")
    assert (
        api.get(f"/api/v1/creatives/{data['asset_id']}", headers=other).status_code
        == 404
    )
    assert data["asset_id"] not in [
        row["asset_id"]
        for row in api.get("/api/v1/creatives", headers=other).json["data"]
    ]


def test_refusals_have_their_status(lab):
    api, analyst = lab["client"], lab["token"]("acme", "analyst")
    svg = api.post(
        "/api/v1/creatives",
        data=corpus.svg_with_xxe(),
        headers={**analyst, "Content-Type": "image/jpeg"},
    )
    assert svg.status_code == 415 and "SVG" in svg.json["error"]["message"]
    engine = make_engine(lab["url"])
    with engine.connect() as conn:
        reasons = conn.scalars(
            sa.select(AuditLog.details).where(AuditLog.action == "creative_refused")
        ).all()
    engine.dispose()
    assert any("SVG" in row["reason"] for row in reasons)  # who tried what, and why
    bomb = api.post(
        "/api/v1/creatives",
        data=corpus.pixel_bomb_png(),
        headers={**analyst, "Content-Type": "image/png"},
    )
    assert bomb.status_code == 422
    viewer = lab["token"]("acme", "viewer")
    refused = api.post(
        "/api/v1/creatives",
        data=corpus.png(),
        headers={**viewer, "Content-Type": "image/png"},
    )
    assert refused.status_code == 403
    assert api.get("/api/v1/creatives?colour=red", headers=viewer).status_code == 400


def test_ad_copy_by_json(lab):
    api, analyst = lab["client"], lab["token"]("acme", "analyst")
    answer = api.post(
        "/api/v1/creatives",
        json={
            "headline": "Warm boots",
            "body": "For cold days.",
            "call_to_action": "Shop",
        },
        headers=analyst,
    )
    assert answer.status_code == 201
    data = answer.json["data"]
    assert data["kind"] == "copy" and data["url"] is None
    assert all(problems == [] for problems in data["spec_problems"].values())
    empty = api.post("/api/v1/creatives", json={"headline": ""}, headers=analyst)
    assert empty.status_code == 400


def test_openapi_documents_the_creatives(lab):
    document = lab["client"].get("/api/v1/openapi.json").json
    assert set(document["paths"]["/creatives"]) == {"get", "post"}
    assert "get" in document["paths"]["/creatives/{creative_id}"]
    upload = document["paths"]["/creatives"]["post"]
    assert "image/jpeg" in upload["requestBody"]["content"]
    assert {"201", "413", "415", "422"} <= set(upload["responses"])
