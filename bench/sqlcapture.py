"""The SQL each callback needs: run it once in an in-process app (cache off) and record it."""

from __future__ import annotations

import json
import re
import secrets

from cryptography.fernet import Fernet

from bench.callbacks import StatementRecorder
from bench.dataset import PASSWORD


def worker_like_app(database_url: str, today: str, **overrides):
    """The app as a worker builds it, on ``database_url``, with in-process cache and limits."""
    from app import create_app

    return create_app(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": None,
            "KIKI_DEMO": False,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "KIKI_ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
            "SESSION_COOKIE_SECURE": False,
            "KIKI_TODAY": today,
            "LOG_LEVEL": "WARNING",
            **overrides,
        }
    )


def callback_statements(
    database_url: str, today: str, email: str, payloads: dict[str, dict]
) -> dict[str, list]:
    """name -> [(statement, parameters)] that the app runs for that callback with no cache."""
    server = worker_like_app(database_url, today, CACHE_READS=False).server
    recorder = StatementRecorder(server.extensions["kiki_engines"]["primary"])
    client = server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    client.get("/healthz")
    headers = {
        "X-CSRFToken": client.get_cookie("_csrf_token").value,
        "Content-Type": "application/json",
    }
    found = {}
    for name, payload in payloads.items():

        def call(payload=payload, name=name):
            response = client.post(
                "/_dash-update-component", data=json.dumps(payload), headers=headers
            )
            if response.status_code not in (200, 204):
                raise RuntimeError(f"{name}: {response.status_code}")

        found[name] = recorder.capture(call)
    server.extensions["kiki_engines"]["primary"].dispose()
    return found
