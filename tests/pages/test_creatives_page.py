"""/creatives through its callbacks: the library with badges and numbers, links refused by spec, viewers read only."""

from __future__ import annotations

import json

import pytest

from tests import media_corpus as corpus
from tests.apps import call_callback
from tests.auth.dash_calls import payload, post
from tests.media_world import close, media_world, signed_in, upload

LIBRARY = {
    "creatives-dates.start_date": "2026-10-01",
    "creatives-dates.end_date": "2026-11-01",
    "creatives-sort.value": "revenue",
    "creatives-uploaded.data": 0,
    "creatives-changed.data": 0,
}


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    app, world, url, _media = media_world(tmp_path_factory)
    yield {"app": app, "world": world}
    close(url)


def _call_by_input(app, client, input_id: str, values: dict):
    """Call the one callback that ``input_id`` triggers (several write the notice)."""
    key = next(
        k
        for k, spec in app.callback_map.items()
        if "callback" in spec and any(i["id"] == input_id for i in spec["inputs"])
    )
    body = payload(app, key, values)
    body["changedPropIds"] = [f"{input_id}.n_clicks"]
    return post(client, body)


def _library(app, client, **values):
    answer = call_callback(app, client, "creatives-library", {**LIBRARY, **values})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.json["response"]


def test_analyst_uploads_links_and_sees_the_numbers(page):
    app, world = page["app"], page["world"]
    analyst = signed_in(app, "acme", "analyst")
    asset = upload(analyst, corpus.jpeg(size=(1080, 1080)), name="square.jpg").json[
        "data"
    ]
    tiny = upload(analyst, corpus.jpeg(size=(200, 200), color="blue"), name="tiny.jpg")
    tiny = tiny.json["data"]
    meta = world["deployments"][(world["orgs"]["acme"], "meta")]
    tiktok = world["deployments"][(world["orgs"]["acme"], "tiktok")]
    state = {"creatives-changed.data": 0}
    linked = _call_by_input(
        app, analyst, "creatives-link-save",
        {**state, "creatives-link-save.n_clicks": 1,
         "creatives-link-creative.value": asset["asset_id"],
         "creatives-link-deployment.value": meta},
    )  # fmt: skip
    assert "linked" in json.dumps(linked.json["response"])
    refused = _call_by_input(
        app, analyst, "creatives-link-save",
        {**state, "creatives-link-save.n_clicks": 1,
         "creatives-link-creative.value": tiny["asset_id"],
         "creatives-link-deployment.value": tiktok},
    )  # fmt: skip
    assert "TikTok's spec" in json.dumps(refused.json["response"])
    response = _library(app, analyst)
    table = json.dumps(response["creatives-library"]["children"])
    assert "square.jpg" in table and "tiny.jpg" in table
    assert f"/media/{asset['asset_id']}/thumbnail" in table
    assert "Archive" in table and "Delete" in table
    # square.jpg ran on Meta over October: it earns money, so it sorts first by revenue.
    assert table.index("square.jpg") < table.index("tiny.jpg")
    assert "$0.00" not in table.split("tiny.jpg")[0].rsplit("square.jpg", 1)[-1]
    # The campaign's page shows it too, with the same numbers.
    detail = call_callback(
        app, analyst, "campaign-creatives",
        {"campaign-id.data": world["deployment_campaigns"][meta],
         "campaign-dates.start_date": "2026-10-01",
         "campaign-dates.end_date": "2026-11-01", "shell-theme.data": "light"},
    )  # fmt: skip
    assert detail.status_code == 200, detail.get_data(as_text=True)[:300]
    creatives = json.dumps(detail.json["response"]["campaign-creatives"]["children"])
    assert "square.jpg" in creatives and "tiny.jpg" not in creatives
    assert "Archive" not in creatives  # the library's actions stay on /creatives
    campaign = world["deployment_campaigns"][meta]
    assert f"/creatives?campaign_id={campaign}" in creatives  # add more from there


def test_linking_to_an_ad_copy_variant(page):
    import sqlalchemy as sa

    from data.db import get_database
    from data.models import AdCopy

    app, world = page["app"], page["world"]
    analyst = signed_in(app, "acme", "analyst")
    asset = upload(analyst, corpus.png((1080, 1080)), name="variant.png").json["data"]
    campaign = world["deployment_campaigns"][
        world["deployments"][(world["orgs"]["acme"], "meta")]
    ]
    with app.server.app_context(), get_database().session_scope() as session:
        variant = AdCopy(
            organization_id=world["orgs"]["acme"], campaign_id=campaign,
            variant_label="Z", headline="Warm", body="Boots",
        )  # fmt: skip
        session.add(variant)
        session.flush()
        variant_id = variant.id
    options = json.dumps(_library(app, analyst)["creatives-link-deployment"]["options"])
    assert f"copy-{variant_id}" in options and "variant Z" in options
    linked = _call_by_input(
        app, analyst, "creatives-link-save",
        {"creatives-changed.data": 0, "creatives-link-save.n_clicks": 1,
         "creatives-link-creative.value": asset["asset_id"],
         "creatives-link-deployment.value": f"copy-{variant_id}"},
    )  # fmt: skip
    assert "linked" in json.dumps(linked.json["response"])
    with app.server.app_context(), get_database().session_scope() as session:
        shown = session.scalar(
            sa.select(AdCopy.user_asset_id).where(AdCopy.id == variant_id)
        )
    assert shown == asset["asset_id"]


def test_viewer_reads_but_cannot_write(page):
    app = page["app"]
    viewer = signed_in(app, "acme", "viewer")
    table = json.dumps(_library(app, viewer)["creatives-library"]["children"])
    assert "Archive" not in table
    answer = _call_by_input(
        app, viewer, "creatives-copy-save",
        {"creatives-copy-save.n_clicks": 1, "creatives-copy-headline.value": "Hi",
         "creatives-copy-body.value": "There", "creatives-copy-cta.value": None,
         "creatives-changed.data": 0},
    )  # fmt: skip
    assert "Only" in json.dumps(answer.json["response"])


def test_other_organization_sees_none_of_it(page):
    app = page["app"]
    globex = signed_in(app, "globex", "admin")
    table = json.dumps(_library(app, globex)["creatives-library"]["children"])
    assert "square.jpg" not in table
