"""CSV exports of the campaign-detail tables: daily metrics, deployments and A/B variants."""

from __future__ import annotations

from flask import Blueprint, Flask, g, request

from auth.access import requires_role
from auth.security import limiter
from data.csv_encoding import csv_chunks
from data.db import db_session
from data.filters import InvalidFilter, parse_range
from data.reads.ab_variants import VARIANT_COLUMNS, variant_comparison
from data.reads.campaign_detail import (
    DAILY_COLUMNS,
    DEPLOYMENT_COLUMNS,
    campaign_daily,
    campaign_deployments,
    campaign_info,
)
from exports.csv_style import csv_style
from exports.responses import (
    bad_request,
    csv_response,
    export_filename,
    not_found,
    record_export,
)

bp = Blueprint("campaign_exports", __name__, url_prefix="/export/campaign")

TABLES = {
    "daily": (campaign_daily, DAILY_COLUMNS),
    "deployments": (campaign_deployments, DEPLOYMENT_COLUMNS),
    "variants": (variant_comparison, VARIANT_COLUMNS),
}


@bp.get("/<kind>.csv")
@requires_role("analyst")
@limiter.limit("30 per minute")
def campaign_table_csv(kind: str):
    """One of the detail page's tables for one campaign and range, as CSV."""
    if kind not in TABLES:
        return not_found("There is no such campaign export.", back="/campaigns")
    args = request.args
    campaign_id = args.get("campaign_id", "")
    if not campaign_id.isdigit() or int(campaign_id) > 2**31 - 1:
        return bad_request(
            InvalidFilter("campaign_id", "campaign_id: expected a campaign number."),
            back="/campaigns",
        )
    back = f"/campaigns/{int(campaign_id)}"
    try:
        rng = parse_range(args.get("start"), args.get("end"))
        style = csv_style()
    except InvalidFilter as exc:
        return bad_request(exc, back=back)
    session, scope = db_session(), g.scope
    scope.require("analyst")
    if campaign_info(session, scope, int(campaign_id)).empty:
        return not_found(
            "There is no such campaign in your organization.", back="/campaigns"
        )
    record_export(f"campaign_{kind}", {k: v[:200] for k, v in args.items()})
    read, columns = TABLES[kind]
    frame = read(session, scope, int(campaign_id), rng)
    return csv_response(
        csv_chunks([frame], columns, style),
        export_filename(f"campaign-{int(campaign_id)}-{kind}", rng),
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
