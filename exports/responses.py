"""What every CSV export answers with: the stream, the 400 for a bad parameter, the audit row."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Response, g, request, stream_with_context
from sqlalchemy.orm import Session

from data.db import get_database
from data.filters import InvalidFilter
from data.writes.audit import record_event
from data.writes.transaction import write_transaction


def bad_request(exc: InvalidFilter):
    """400 with the API's error shape, naming the parameter that was refused."""
    return {
        "error": {
            "code": "bad_parameter",
            "message": exc.message,
            "details": {"param": exc.param},
        }
    }, 400


def record_export(kind: str, params: dict) -> None:
    """An audit row for an export the signed-in user made (``kind``, the request's parameters)."""
    with write_transaction() as db:
        record_event(
            db,
            g.scope.actor(request.remote_addr),
            "export_made",
            target_type=kind,
            details=params,
        )


def csv_response(chunks, filename: str) -> Response:
    """CSV from chunks that need no database any more (frames the view already read)."""
    response = Response(stream_with_context(chunks), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_stream(read: Callable[[Session], Iterable], filename: str) -> Response:
    """CSV read from the database while it is sent, with a session of the stream's own.

    Flask tears the request down (closing the request's sessions) when the view returns, then
    pushes its contexts again to send the body: a stream that kept using the request's session
    began a new transaction on it that nothing closed, one leaked connection per export. This
    session opens with the first chunk and closes after the last, or when the client leaves.
    """

    def chunks():
        with get_database().sessionmaker() as session:
            yield from read(session)

    return csv_response(chunks(), filename)
