"""The creatives' file routes: chunked upload over HTTP, CSRF, roles, headers, organizations apart."""

from __future__ import annotations

import os

import pytest

from tests import media_corpus as corpus
from tests.media_world import close, csrf, media_world, signed_in, upload


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    app, world, url, media = media_world(tmp_path_factory)
    yield {"app": app, "world": world, "media": media}
    close(url)


@pytest.fixture(scope="module")
def acme(world):
    return signed_in(world["app"], "acme", "analyst")


@pytest.fixture(scope="module")
def globex(world):
    return signed_in(world["app"], "globex", "admin")


def stored_files(media) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(d, f), media)
        for d, _dirs, names in os.walk(media)
        for f in names
    )


def test_chunked_upload_stores_and_serves_with_safe_headers(world, acme):
    content = corpus.jpeg(size=(1080, 1080), exif_gps=True)
    answer = upload(acme, content, name="../../etc/summer.jpg", chunk=4096)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    data = answer.json["data"]
    assert data["filename"] == "summer.jpg" and data["kind"] == "image"
    served = acme.get(data["url"])
    assert served.status_code == 200
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"].startswith("sandbox")
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert served.headers["Content-Type"] == "image/jpeg"
    assert b"SpyCam" not in served.data
    thumb = acme.get(f"{data['url']}/thumbnail")
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/webp"
    assert acme.get(f"/media/sha256/{data['sha256']}").data == served.data
    again = upload(acme, content, name="copy.jpg")
    assert (
        again.status_code == 200 and again.json["data"]["asset_id"] == data["asset_id"]
    )


def test_other_organization_gets_404_by_id_and_by_hash(world, acme, globex):
    data = upload(acme, corpus.png((700, 700)), name="a.png").json["data"]
    for path in (
        data["url"],
        f"{data['url']}/thumbnail",
        f"/media/sha256/{data['sha256']}",
    ):
        assert acme.get(path).status_code == 200, path
        assert globex.get(path).status_code == 404, path


def test_refused_upload_says_why_and_leaves_nothing(world, acme):
    before = stored_files(world["media"])
    answer = upload(acme, corpus.svg_with_script(), name="logo.jpg")
    assert answer.status_code == 415
    assert "SVG" in answer.json["error"]["message"]
    assert stored_files(world["media"]) == before


def test_gap_overlap_range_and_resume_over_http(world, acme):
    content = corpus.jpeg(size=(1200, 628), color="purple")
    started = acme.post(
        "/media/uploads",
        json={"filename": "x.jpg", "size": len(content)},
        headers=csrf(acme),
    )
    location, total = started.headers["Location"], len(content)

    def put(first, part):
        return acme.put(
            location,
            data=part,
            headers={
                **csrf(acme),
                "Content-Range": f"bytes {first}-{first + len(part) - 1}/{total}",
            },
        )

    assert put(0, content[:1000]).headers["Upload-Offset"] == "1000"
    gap = put(2000, content[2000:3000])
    assert gap.status_code == 409 and gap.json["error"]["offset"] == 1000
    overlap = put(500, content[500:1500])
    assert overlap.status_code == 409 and "overlap" in overlap.json["error"]["message"]
    outside = acme.put(
        location,
        data=b"x",
        headers={**csrf(acme), "Content-Range": f"bytes {total}-{total}/{total}"},
    )
    assert outside.status_code == 416
    head = acme.head(location)
    assert head.headers["Upload-Offset"] == "1000"
    done = put(1000, content[1000:])
    assert done.status_code == 201


def test_oversized_upload_refused_before_any_byte(world, acme):
    answer = acme.post(
        "/media/uploads",
        json={"filename": "huge.mp4", "size": 5 * 1024**3},
        headers=csrf(acme),
    )
    assert answer.status_code == 413


def test_csrf_and_roles(world, acme):
    app = world["app"]
    no_token = acme.post("/media/uploads", json={"filename": "a.jpg", "size": 10})
    assert no_token.status_code in (400, 403)
    viewer = signed_in(app, "acme", "viewer")
    refused = viewer.post(
        "/media/uploads", json={"filename": "a.jpg", "size": 10}, headers=csrf(viewer)
    )
    assert refused.status_code == 403
    anonymous = app.server.test_client()
    assert anonymous.get("/media/1").status_code in (302, 401)


def test_another_users_upload_is_not_theirs(world, acme):
    started = acme.post(
        "/media/uploads", json={"filename": "a.jpg", "size": 10}, headers=csrf(acme)
    )
    other = signed_in(world["app"], "acme", "admin")
    assert other.get(started.headers["Location"]).status_code == 404
    globex = signed_in(world["app"], "globex", "analyst")
    assert globex.get(started.headers["Location"]).status_code == 404


def test_an_upload_for_a_campaign_belongs_to_it_and_another_orgs_is_refused(
    world, acme
):
    acme_campaign = world["world"]["deployment_campaigns"][
        world["world"]["deployments"][(world["world"]["orgs"]["acme"], "meta")]
    ]
    globex_campaign = world["world"]["deployment_campaigns"][
        world["world"]["deployments"][(world["world"]["orgs"]["globex"], "meta")]
    ]
    refused = acme.post(
        "/media/uploads",
        json={"filename": "a.png", "size": 10, "campaign_id": globex_campaign},
        headers=csrf(acme),
    )
    assert refused.status_code == 404
    answer = upload(
        acme, corpus.png((900, 900)), name="for-campaign.png", campaign_id=acme_campaign
    )
    assert answer.status_code == 201
    page = acme.get(f"/creatives?campaign_id={acme_campaign}")
    assert page.status_code == 200


def test_a_dropped_chunk_is_resumed_from_the_servers_offset(world, acme):
    content = corpus.jpeg(size=(1080, 1080), color="teal")
    total = len(content)
    started = acme.post(
        "/media/uploads",
        json={"filename": "resume.jpg", "size": total},
        headers=csrf(acme),
    )
    location = started.headers["Location"]
    # The connection drops after 3,000 of the chunk's bytes: the body ends early.
    dropped = acme.put(
        location,
        data=content[:3000],
        headers={**csrf(acme), "Content-Range": f"bytes 0-{total - 1}/{total}"},
        environ_overrides={"CONTENT_LENGTH": str(total)},
    )
    assert dropped.status_code == 400
    offset = int(acme.head(location).headers["Upload-Offset"])
    assert offset == 3000  # what arrived is kept
    done = acme.put(
        location,
        data=content[offset:],
        headers={**csrf(acme), "Content-Range": f"bytes {offset}-{total - 1}/{total}"},
    )
    assert done.status_code == 201, done.get_data(as_text=True)
    assert done.json["data"]["width"] == 1080
