"""CSV exports streamed from plain routes, one chunk of rows at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Blueprint, Flask, Response, g, request, stream_with_context
from sqlalchemy.orm import Session

from auth.access import requires_role
from auth.limits import EXPORT_LIMIT
from auth.security import limiter
from data.csv_encoding import csv_chunks
from data.db import get_database
from data.filters import InvalidFilter, parse_campaign_filters, parse_range
from data.reads.campaign_list import CAMPAIGN_COLUMNS, iter_campaign_list
from data.writes.audit import (
    AUDIT_COLUMNS,
    iter_audit_entries,
    parse_audit_filters,
    record_event,
)
from data.writes.transaction import write_transaction

bp = Blueprint("exports", __name__, url_prefix="/export")


def _bad_request(exc: InvalidFilter):
    return {
        "error": {
            "code": "bad_parameter",
            "message": exc.message,
            "details": {"param": exc.param},
        }
    }, 400


def _record_export(kind: str, params: dict) -> None:
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


@bp.get("/campaigns.csv")
@requires_role("analyst")
@limiter.limit("30 per minute")
def campaigns_csv():
    """Every campaign matching the list's filters and sort, not just one page."""
    args = request.args
    try:
        rng = parse_range(args.get("start"), args.get("end"))
        filters = parse_campaign_filters(
            search=args.get("search"),
            statuses=args.get("status"),
            platforms=args.get("platform"),
            min_spend=args.get("min_spend"),
            roas_min=args.get("roas_min"),
            roas_max=args.get("roas_max"),
            sort_by=args.get("sort"),
            descending=args.get("desc", "1") != "0",
        )
    except InvalidFilter as exc:
        return _bad_request(exc)
    g.scope.require("analyst")
    _record_export("campaigns", {k: v[:200] for k, v in args.items()})
    scope = g.scope
    return csv_stream(
        lambda session: csv_chunks(
            iter_campaign_list(session, scope, rng, filters), CAMPAIGN_COLUMNS
        ),
        f"kiki-campaigns-{rng.start}-to-{rng.end}.csv",
    )


@bp.get("/audit.csv")
@requires_role("admin")
@limiter.limit(EXPORT_LIMIT)
def audit_csv():
    """Every audit row of the organization matching the audit page's filters, newest first."""
    args = request.args
    try:
        filters = parse_audit_filters(
            args.get("start"), args.get("end"), args.get("action"), args.get("actor")
        )
    except InvalidFilter as exc:
        return _bad_request(exc)
    g.scope.require("admin")
    _record_export("audit", {k: v[:200] for k, v in args.items()})
    scope = g.scope
    return csv_stream(
        lambda session: csv_chunks(
            iter_audit_entries(session, scope, filters), AUDIT_COLUMNS
        ),
        f"kiki-audit-{filters.range.start}-to-{filters.range.end}.csv",
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
