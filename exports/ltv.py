"""CSV exports of the LTV page's two tables: by acquisition campaign and by monthly cohort."""

from __future__ import annotations

from flask import Blueprint, Flask, g, request

from auth.access import requires_role
from auth.security import limiter
from data.csv_encoding import csv_chunks
from data.db import db_session
from data.filters import InvalidFilter, parse_platforms, parse_range
from data.reads.ltv import (
    CAMPAIGN_COLUMNS,
    MONTH_COLUMNS,
    ltv_by_campaign,
    ltv_by_month,
)
from exports.csv_style import csv_style
from exports.responses import (
    bad_request,
    csv_response,
    export_filename,
    not_found,
    record_export,
)

bp = Blueprint("ltv_exports", __name__, url_prefix="/export/ltv")
TABLES = {  # kind -> (read, columns): the same frames as the page and /api/v1/ltv/...
    "campaigns": (ltv_by_campaign, CAMPAIGN_COLUMNS),
    "cohorts": (ltv_by_month, MONTH_COLUMNS),
}


@bp.get("/<kind>.csv")
@requires_role("analyst")
@limiter.limit("30 per minute")
def ltv_csv(kind: str):
    """The LTV page's table by campaign ("campaigns") or by month ("cohorts"), as CSV."""
    if kind not in TABLES:
        return not_found("No such export.")
    args = request.args
    try:
        rng = parse_range(args.get("start"), args.get("end"))
        platforms, style = parse_platforms(args.get("platform")), csv_style()
    except InvalidFilter as exc:
        return bad_request(exc)
    g.scope.require("analyst")
    record_export(f"ltv_{kind}", {k: v[:200] for k, v in args.items()})
    read, columns = TABLES[kind]
    frame = read(db_session(), g.scope, rng, platforms)
    return csv_response(
        csv_chunks([frame], columns, style),
        export_filename(f"ltv-{kind}", rng, *sorted(platforms)),
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
