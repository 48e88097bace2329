"""An app whose session users are cached (Redis configured), once its listener is subscribed."""

from __future__ import annotations

import time

from tests.factories import app_config
from tests.services import redis_url


def cached_app(url: str, **overrides):
    from app import create_app

    app = create_app(app_config(url, REDIS_URL=redis_url(), **overrides))
    wait_until_usable(app)
    return app


def wait_until_usable(app, seconds: float = 10.0) -> None:
    cache = app.server.extensions["kiki_user_cache"]
    deadline = time.monotonic() + seconds
    while not cache.usable:
        assert time.monotonic() < deadline, "the user cache never subscribed"
        time.sleep(0.02)
