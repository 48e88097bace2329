"""One write answered once: the write and its answer in one transaction, replayed for a retried key.

``answer_once`` runs a view's write inside data/writes/transaction.py's write_transaction. With
an ``Idempotency-Key`` header on a POST, the key is claimed in the same transaction
(data/writes/idempotency.py): a retry gets the stored answer and writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Response, g, jsonify, request
from sqlalchemy.orm import Session

from api.http import error_response
from data.campaign_rules import InvalidField
from data.writes.idempotency import (
    MAX_KEY_LENGTH,
    KeyReused,
    claim_key,
    request_fingerprint,
    store_answer,
)
from data.writes.transaction import write_transaction

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_KEY = re.compile(rf"[!-~]{{1,{MAX_KEY_LENGTH}}}")  # visible ASCII, no spaces

# What a write returns: (status, JSON answer or None for no body, Location or None).
Answer = tuple[int, dict | None, str | None]


def idempotency_key() -> str | None:
    """The request's Idempotency-Key (POST only); InvalidField when it is malformed."""
    key = request.headers.get(HEADER)
    if key is None or request.method != "POST":
        return None
    if not _KEY.fullmatch(key):
        raise InvalidField(
            HEADER, f"Use 1 to {MAX_KEY_LENGTH} visible ASCII characters, e.g. a UUID."
        )
    return key


def respond(status: int, payload: dict | None, location: str | None) -> Response:
    response = Response(status=status) if payload is None else jsonify(payload)
    response.status_code = status
    if location:
        response.headers["Location"] = location
    data = (payload or {}).get("data")
    if isinstance(data, dict) and "campaign_id" in data and "version" in data:
        response.headers["ETag"] = f'"{data["version"]}"'
    return response


def answer_once(body: dict, write: Callable[[Session], Answer]) -> Response:
    """``write(session)`` in one transaction, its answer kept with the request's key if any."""
    key = idempotency_key()
    g.api_idempotency_key = key
    try:
        with write_transaction() as session:
            claim = None
            if key is not None:
                fingerprint = request_fingerprint(request.method, request.path, body)
                stored, claim = claim_key(session, g.scope.user_id, key, fingerprint)
                if stored is not None:
                    g.api_replayed = True
                    response = respond(stored.status, stored.body, stored.location)
                    response.headers[REPLAYED_HEADER] = "true"
                    return response
            status, payload, location = write(session)
            if claim is not None:
                store_answer(session, claim, status, payload, location)
    except KeyReused as exc:
        return error_response(422, str(exc), "idempotency_key_reused", field=HEADER)
    return respond(status, payload, location)
