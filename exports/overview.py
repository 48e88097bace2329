"""CSV exports behind the overview: its trend and platform tables, and every raw daily metric row."""

from __future__ import annotations

from flask import Blueprint, Flask, g, request

from auth.access import requires_role
from auth.security import limiter
from data.csv_encoding import csv_chunks
from data.db import db_session
from data.filters import InvalidFilter, parse_granularity, parse_platforms, parse_range
from data.reads.metric_rows import metric_rows_csv
from data.reads.overview import (
    PLATFORM_COLUMNS,
    TREND_COLUMNS,
    platform_breakdown,
    revenue_trend,
)
from exports.csv_style import csv_style
from exports.responses import (
    bad_request,
    csv_response,
    csv_stream,
    export_filename,
    not_found,
    record_export,
)

bp = Blueprint("overview_exports", __name__, url_prefix="/export")


def _filters():
    args = request.args
    return (
        parse_range(args.get("start"), args.get("end")),
        parse_platforms(args.get("platform")),
        parse_granularity(args.get("granularity")),
        csv_style(),
    )


@bp.get("/<kind>.csv")
@requires_role("analyst")
@limiter.limit("30 per minute")
def overview_csv(kind: str):
    """The overview's trend ("trend") or platform breakdown ("platforms") for the range, as CSV."""
    if kind not in ("trend", "platforms"):
        return not_found("No such export.")
    try:
        rng, platforms, granularity, style = _filters()
    except InvalidFilter as exc:
        return bad_request(exc)
    g.scope.require("analyst")
    record_export(kind, {k: v[:200] for k, v in request.args.items()})
    session = db_session()
    if kind == "trend":
        frame, columns = (
            revenue_trend(session, g.scope, rng, granularity, platforms),
            TREND_COLUMNS,
        )
    else:
        frame, columns = (
            platform_breakdown(session, g.scope, rng, platforms),
            PLATFORM_COLUMNS,
        )
    return csv_response(
        csv_chunks([frame], columns, style),
        export_filename(
            kind, rng, *sorted(platforms), granularity if kind == "trend" else ""
        ),
    )


@bp.get("/metrics/daily.csv")
@requires_role("analyst")
@limiter.limit("10 per minute")
def daily_metrics_csv():
    """Every daily metric row of the organization in the range (can be millions: streamed)."""
    try:
        rng, platforms, _granularity, style = _filters()
    except InvalidFilter as exc:
        return bad_request(exc)
    g.scope.require("analyst")
    record_export("daily_metrics", {k: v[:200] for k, v in request.args.items()})
    scope = g.scope
    return csv_stream(
        lambda session: metric_rows_csv(session, scope, rng, platforms, style=style),
        export_filename("daily-metrics", rng, *sorted(platforms)),
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
