"""An app of its own for the creatives' route tests: a fresh PostgreSQL world and media directory."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.db import make_engine
from data.models import PlatformDeployment
from tests.apps import make_app, signed_in
from tests.factories import build_world
from tests.services import create_database, dispose_database


def media_world(tmp_path_factory, **overrides):
    """(app, world, url) over a new database; call ``close(url)`` at the end."""
    url = create_database("postgresql", tmp_path_factory.mktemp("media-db"))
    engine = make_engine(url)
    with Session(engine) as session:
        world = build_world(session)
        rows = session.execute(
            sa.select(
                PlatformDeployment.id,
                PlatformDeployment.organization_id,
                PlatformDeployment.platform,
                PlatformDeployment.campaign_id,
            ).order_by(PlatformDeployment.id.desc())
        ).all()
        world["deployments"] = {(r.organization_id, r.platform): r.id for r in rows}
        world["deployment_campaigns"] = {r.id: r.campaign_id for r in rows}
    engine.dispose()
    media = tmp_path_factory.mktemp("media")
    app = make_app(url, KIKI_MEDIA_DIR=str(media), **overrides)
    return app, world, url, media


def close(url: str) -> None:
    dispose_database(url)


def csrf(client) -> dict:
    token = client.get_cookie("_csrf_token")
    return {"X-CSRFToken": token.value} if token else {}


def upload(client, content: bytes, name: str = "a.jpg", chunk: int = 0, **extra):
    """Open an upload and send ``content`` in chunks of ``chunk`` bytes (0: one); the last answer."""
    started = client.post(
        "/media/uploads",
        json={"filename": name, "size": len(content), **extra},
        headers=csrf(client),
    )
    if started.status_code != 201:
        return started
    location = started.headers["Location"]
    step = chunk or len(content)
    answer = started
    for first in range(0, len(content), step):
        part = content[first : first + step]
        answer = client.put(
            location,
            data=part,
            headers={
                **csrf(client),
                "Content-Type": "application/octet-stream",
                "Content-Range": f"bytes {first}-{first + len(part) - 1}/{len(content)}",
            },
        )
        if answer.status_code not in (200, 201):
            return answer
    return answer


__all__ = ["close", "csrf", "media_world", "signed_in", "upload"]
