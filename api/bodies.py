"""Request bodies of the API's writes: one JSON object of known fields, and the version to expect."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import current_app, request
from werkzeug.exceptions import UnsupportedMediaType

from api.spec import MAX_ID
from data.campaign_rules import InvalidField

JSON_MIMETYPE = "application/json"
_ETAG = re.compile(r'(?:W/)?"([0-9]{1,10})"')


def has_body() -> bool:
    return bool(request.get_data(cache=True).strip())


def json_body(fields: Iterable[str], *, required: bool) -> dict:
    """The body as a dict holding only ``fields``; {} for no body when not ``required``.

    415 for a body that is not application/json (web/malformed.py refuses it first), an
    InvalidField (400, naming the field) for anything else wrong.
    """
    if not has_body():
        if required:
            raise InvalidField("body", "Send a JSON object.")
        return {}
    if request.mimetype != JSON_MIMETYPE:
        raise UnsupportedMediaType("Send the body as application/json.")
    try:
        body = current_app.json.loads(request.get_data(cache=True))
    except ValueError:
        raise InvalidField("body", "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise InvalidField("body", "Send a JSON object.")
    allowed = set(fields)
    for name in body:
        if name not in allowed:
            shown = str(name)[:40]
            raise InvalidField(shown, f"Unknown field {shown!r}.")
    return body


def expected_version(body: dict) -> int | None:
    """The version the caller loaded: ``If-Match: "3"`` or ``"version": 3`` (both: the same)."""
    header = request.headers.get("If-Match")
    from_header = None
    if header is not None and header.strip() != "*":
        match = _ETAG.fullmatch(header.strip())
        if match is None:
            raise InvalidField("If-Match", 'Send the version as an ETag, e.g. "3".')
        from_header = int(match.group(1))
    from_body = body.get("version")
    if isinstance(from_body, float) and from_body.is_integer():
        from_body = int(from_body)  # JSON's 3.0 is the integer 3
    if from_body is not None and (
        isinstance(from_body, bool)
        or not isinstance(from_body, int)
        or not 1 <= from_body <= MAX_ID
    ):
        raise InvalidField("version", "Send the version you loaded, a whole number.")
    if from_header is not None and from_body is not None and from_header != from_body:
        raise InvalidField("version", "If-Match and version name different versions.")
    return from_body if from_body is not None else from_header
