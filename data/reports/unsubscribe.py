"""The unsubscribe link of a report e-mail: a signed token naming (subscription, recipient).

Signed with the app's SECRET_KEY (itsdangerous, as Flask's sessions), salted for this use only,
with no expiry: a link in a months-old e-mail still works. A changed character fails the
signature. Removing the recipient row is what unsubscribes, so a second click (or a link of a
deleted subscription) changes nothing.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "kiki-report-unsubscribe"
PATH = "/unsubscribe/"


def _serializer(secret: str | None = None) -> URLSafeSerializer:
    return URLSafeSerializer(secret or current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(
    subscription_id: int, user_id: int, secret: str | None = None
) -> str:
    return _serializer(secret).dumps([int(subscription_id), int(user_id)])


def read_token(token: str, secret: str | None = None) -> tuple[int, int] | None:
    """(subscription id, user id) of a genuine token, or None."""
    if not isinstance(token, str) or len(token) > 200:
        return None
    try:
        value = _serializer(secret).loads(token)
    except BadSignature:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(
            isinstance(item, int) and not isinstance(item, bool) for item in value
        )
    ):
        return None
    return value[0], value[1]


def unsubscribe_link(subscription_id: int, user_id: int) -> str:
    base = (current_app.config.get("KIKI_PUBLIC_URL") or "").rstrip("/")
    return f"{base}{PATH}{unsubscribe_token(subscription_id, user_id)}"
