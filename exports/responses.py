"""What every export answers with: the stream, its errors (a page for browsers, JSON for scripts), the audit row."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from flask import Response, g, render_template, request, stream_with_context
from sqlalchemy.orm import Session

from auth.guard import navigating
from data.db import get_database
from data.filters import InvalidFilter
from data.writes.audit import record_event
from data.writes.transaction import write_transaction

HEADINGS = {400: "This export could not be made", 404: "Nothing to export"}


def export_error(
    status: int,
    code: str,
    message: str,
    *,
    details: dict | None = None,
    back: str = "/",
):
    """An export refused: a small page with the message and a link ``back`` for a browser that
    navigated to it (a download link opened in a tab); the API's JSON error shape for scripts
    and XHR, which read ``code`` and ``details``."""
    if navigating():
        page = render_template(
            "export_error.html",
            heading=HEADINGS.get(status, "This export could not be made"),
            message=message,
            back=back,
            back_label="Back to the overview" if back == "/" else "Back to the page",
        )
        return page, status
    return {
        "error": {"code": code, "message": message, "details": details or {}}
    }, status


def bad_request(exc: InvalidFilter, back: str = "/"):
    """400 naming the parameter that was refused (a page for a browser, JSON otherwise)."""
    return export_error(
        400, "bad_parameter", exc.message, details={"param": exc.param}, back=back
    )


def not_found(message: str, back: str = "/"):
    """404 for an export of something that is not there (a page for a browser, JSON otherwise)."""
    return export_error(404, "not_found", message, back=back)


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


MAX_FILENAME = 120
_UNSAFE = re.compile(r"[^a-z0-9]+")


def export_filename(kind: str, rng, *filters: str) -> str:
    """``kiki-<kind>-<start>-to-<end>[-<filter>...].csv``: the file names what it holds, so two
    downloads of one range with other filters do not overwrite each other. Each filter is
    lower-cased to letters, digits and hyphens ("TikTok" -> "tiktok", a search "Café 10%" ->
    "caf-10"); the name stays under MAX_FILENAME characters."""
    parts = [f"kiki-{kind}-{rng.start}-to-{rng.end}"]
    for item in filters:
        slug = _UNSAFE.sub("-", str(item).lower()).strip("-")
        if slug:
            parts.append(slug)
    name = "-".join(parts)[: MAX_FILENAME - 4].rstrip("-")
    return f"{name}.csv"


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
