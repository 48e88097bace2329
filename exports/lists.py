"""CSV exports streamed from plain routes, one chunk of rows at a time."""

from __future__ import annotations

from flask import Blueprint, Flask, g, request

from auth.access import requires_role
from auth.limits import EXPORT_LIMIT
from auth.security import limiter
from data.csv_encoding import csv_chunks
from data.filters import (  # campaign_list_filters: also for exports/pdf.py
    InvalidFilter,
    campaign_list_filters,
)
from data.reads.campaign_list import CAMPAIGN_COLUMNS, iter_campaign_list
from data.writes.audit import (
    AUDIT_COLUMNS,
    iter_audit_entries,
    parse_audit_filters,
)
from exports.csv_style import csv_style
from exports.responses import (
    bad_request,
    csv_stream,
    export_filename,
    record_export,
)

# templates/: the error page a browser gets (exports/responses.py export_error), for every export.
bp = Blueprint("exports", __name__, url_prefix="/export", template_folder="templates")


def campaign_filter_words(filters) -> list[str]:
    """The list's filters as a file name's parts: platforms, statuses, the search, the bounds."""
    words = [*sorted(filters.platforms), *sorted(filters.statuses)]
    if filters.search:
        words.append(f"search-{filters.search[:30]}")
    if filters.min_spend is not None:
        words.append(f"spend-from-{filters.min_spend}")
    if filters.roas_min is not None:
        words.append(f"roas-from-{filters.roas_min:g}")
    if filters.roas_max is not None:
        words.append(f"roas-to-{filters.roas_max:g}")
    return words


@bp.get("/campaigns.csv")
@requires_role("analyst")
@limiter.limit("30 per minute")
def campaigns_csv():
    """Every campaign matching the list's filters and sort, not just one page."""
    args = request.args
    try:
        rng, filters = campaign_list_filters(args)
        style = csv_style()
    except InvalidFilter as exc:
        return bad_request(exc, back="/campaigns")
    g.scope.require("analyst")
    record_export("campaigns", {k: v[:200] for k, v in args.items()})
    scope = g.scope
    return csv_stream(
        lambda session: csv_chunks(
            iter_campaign_list(session, scope, rng, filters), CAMPAIGN_COLUMNS, style
        ),
        export_filename("campaigns", rng, *campaign_filter_words(filters)),
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
        style = csv_style()
    except InvalidFilter as exc:
        return bad_request(exc, back="/audit")
    g.scope.require("admin")
    record_export("audit", {k: v[:200] for k, v in args.items()})
    scope = g.scope
    return csv_stream(
        lambda session: csv_chunks(
            iter_audit_entries(session, scope, filters), AUDIT_COLUMNS, style
        ),
        f"kiki-audit-{filters.range.start}-to-{filters.range.end}.csv",
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
