"""The JSON analytics API at /api/v1: eight read endpoints over the same repository reads as the
pages; the campaign lifecycle's operations are in api/lifecycle_routes.py."""

from __future__ import annotations

import pandas as pd
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
)

from api import bearer, creatives_routes, lifecycle_routes, openapi
from api import http as api_http
from api.answers import applied_filters, list_page, wants_csv
from api.params import (
    campaign_filters,
    check_known,
    date_range,
    granularity,
    paging,
    platform_list,
    platforms,
    records,
)
from api.spec import API_PREFIX, ENDPOINTS, ENDPOINTS_BY_NAME
from auth.access import requires_role
from auth.security import csrf, limiter
from data.csv_encoding import csv_chunks
from data.db import db_session
from data.metric_definitions import METRIC_COLUMNS
from data.models import PLATFORMS
from data.reads.ab_variants import VARIANT_COLUMNS, variant_comparison
from data.reads.campaign_detail import (
    CAMPAIGN_INFO_COLUMNS,
    DAILY_COLUMNS,
    DEPLOYMENT_COLUMNS,
    campaign_daily,
    campaign_deployments,
    campaign_info,
    campaign_totals,
)
from data.reads.campaign_list import CAMPAIGN_COLUMNS, campaign_list, iter_campaign_list
from data.reads.ltv import (
    CAMPAIGN_COLUMNS as LTV_CAMPAIGN_COLUMNS,
)
from data.reads.ltv import (
    LTV_COLUMNS,
    MONTH_COLUMNS,
    latest_ltv,
    ltv_by_campaign,
    ltv_by_month,
)
from data.reads.overview import (
    KPI_COLUMNS,
    PLATFORM_COLUMNS,
    TREND_COLUMNS,
    kpi_summary,
    platform_breakdown,
    revenue_trend,
)
from data.writes.api_audit import AuditBatcher
from exports.responses import csv_stream

bp = Blueprint("api", __name__, url_prefix=API_PREFIX, template_folder="templates")
fallback = Blueprint("api_fallback", __name__, url_prefix="/api")


def _known_campaign(campaign_id: int) -> pd.DataFrame:
    info = campaign_info(db_session(), g.scope, campaign_id)
    if info.empty:
        abort(404, description=f"No campaign {campaign_id} in your organization.")
    return info


@requires_role("viewer")
def summary():
    check_known(ENDPOINTS_BY_NAME["summary"])
    rng, chosen = date_range(), platforms()
    frame = kpi_summary(db_session(), g.scope, rng, chosen)
    columns = [c for c in KPI_COLUMNS if c != "period"]
    periods = dict(zip(frame["period"], records(frame, columns)))
    return {
        "data": {"current": periods["current"], "previous": periods["previous"]},
        "filters": applied_filters(rng, chosen),
    }


@requires_role("viewer")
def revenue_trend_rows():
    check_known(ENDPOINTS_BY_NAME["revenue_trend"])
    rng, chosen, grain = date_range(), platforms(), granularity()
    frame = revenue_trend(db_session(), g.scope, rng, grain, chosen)
    filters = applied_filters(rng, chosen, granularity=grain)
    return list_page(
        frame, TREND_COLUMNS, filters, f"revenue-trend-{rng.start}-to-{rng.end}"
    )


@requires_role("viewer")
def platform_rows():
    check_known(ENDPOINTS_BY_NAME["platforms"])
    rng, chosen = date_range(), platforms()
    frame = platform_breakdown(db_session(), g.scope, rng, chosen)
    name = f"platforms-{rng.start}-to-{rng.end}"
    return list_page(frame, PLATFORM_COLUMNS, applied_filters(rng, chosen), name)


@requires_role("viewer")
def campaign_rows():
    check_known(ENDPOINTS_BY_NAME["campaigns"])
    rng, filters = date_range(), campaign_filters()
    page, size = paging()
    if wants_csv():
        scope = g.scope
        return csv_stream(  # read while it is sent, with a session of the stream's own
            lambda session: csv_chunks(
                iter_campaign_list(session, scope, rng, filters), CAMPAIGN_COLUMNS
            ),
            f"kiki-campaigns-{rng.start}-to-{rng.end}.csv",
        )
    frame, total = campaign_list(db_session(), g.scope, rng, filters, page - 1, size)
    rows = records(frame, CAMPAIGN_COLUMNS)
    for row in rows:
        row["platforms"] = platform_list(row["platforms"])
    applied = applied_filters(
        rng,
        filters.platforms,
        sort=filters.sort_by,
        order="desc" if filters.descending else "asc",
        search=filters.search,
        status=list(filters.statuses),
        min_spend=None if filters.min_spend is None else str(filters.min_spend),
        roas_min=filters.roas_min,
        roas_max=filters.roas_max,
    )
    return {
        "data": rows,
        "page": page,
        "page_size": size,
        "total": total,
        "filters": applied,
    }


@requires_role("viewer")
def campaign(campaign_id: int):
    check_known(ENDPOINTS_BY_NAME["campaign"])
    rng, chosen = date_range(), platforms()
    db, scope = db_session(), g.scope
    info = _known_campaign(campaign_id)
    deployments = campaign_deployments(db, scope, campaign_id, rng)
    runs_on = set(deployments["platform"])
    if chosen:
        deployments = deployments[deployments["platform"].isin(chosen)]
    totals = campaign_totals(db, scope, deployments)
    data = records(info, CAMPAIGN_INFO_COLUMNS)[0]
    data["platforms"] = [p for p in PLATFORMS if p in runs_on]
    data["totals"] = records(totals, METRIC_COLUMNS)[0]
    data["deployments"] = records(deployments, DEPLOYMENT_COLUMNS)
    return {"data": data, "filters": applied_filters(rng, chosen)}


@requires_role("viewer")
def campaign_metrics(campaign_id: int):
    check_known(ENDPOINTS_BY_NAME["campaign_metrics"])
    rng, chosen = date_range(), platforms()
    _known_campaign(campaign_id)
    frame = campaign_daily(db_session(), g.scope, campaign_id, rng)
    if chosen:
        frame = frame[frame["platform"].isin(chosen)]
    name = f"campaign-{campaign_id}-daily-{rng.start}-to-{rng.end}"
    return list_page(frame, DAILY_COLUMNS, applied_filters(rng, chosen), name)


@requires_role("viewer")
def campaign_variants(campaign_id: int):
    check_known(ENDPOINTS_BY_NAME["campaign_variants"])
    rng = date_range()
    _known_campaign(campaign_id)
    frame = variant_comparison(db_session(), g.scope, campaign_id, rng)
    name = f"campaign-{campaign_id}-variants-{rng.start}-to-{rng.end}"
    return list_page(frame, VARIANT_COLUMNS, applied_filters(rng), name)


@requires_role("viewer")
def ltv():
    check_known(ENDPOINTS_BY_NAME["ltv"])
    frame = latest_ltv(db_session(), g.scope)
    return list_page(frame, LTV_COLUMNS, {}, "ltv")


@requires_role("viewer")
def ltv_campaigns():
    check_known(ENDPOINTS_BY_NAME["ltv_campaigns"])
    rng, chosen = date_range(), platforms()
    frame = ltv_by_campaign(db_session(), g.scope, rng, chosen)
    name = f"ltv-campaigns-{rng.start}-to-{rng.end}"
    return list_page(frame, LTV_CAMPAIGN_COLUMNS, applied_filters(rng, chosen), name)


@requires_role("viewer")
def ltv_cohorts():
    check_known(ENDPOINTS_BY_NAME["ltv_cohorts"])
    rng, chosen = date_range(), platforms()
    frame = ltv_by_month(db_session(), g.scope, rng, chosen)
    name = f"ltv-cohorts-{rng.start}-to-{rng.end}"
    return list_page(frame, MONTH_COLUMNS, applied_filters(rng, chosen), name)


VIEWS = {
    "summary": summary,
    "revenue_trend": revenue_trend_rows,
    "platforms": platform_rows,
    "campaigns": campaign_rows,
    "campaign": campaign,
    "campaign_metrics": campaign_metrics,
    "campaign_variants": campaign_variants,
    "ltv": ltv,
    "ltv_campaigns": ltv_campaigns,
    "ltv_cohorts": ltv_cohorts,
}


@requires_role("viewer")
def unknown_path(rest: str = ""):
    abort(404)


def _config_limit(name: str, default: str):
    return lambda: current_app.config.get(name) or default


def _register_routes() -> None:
    for endpoint in ENDPOINTS:
        bp.add_url_rule(
            endpoint.flask_rule, endpoint=endpoint.name, view_func=VIEWS[endpoint.name]
        )
    # The web login's limits: per address in auth/address_limits.py (before anything can refuse
    # the request uncounted), per account in auth/account_lock.py (one counter for both doors).
    lifecycle_routes.register(bp)
    creatives_routes.register(bp)
    bp.add_url_rule("/auth/token", view_func=bearer.issue_token, methods=["POST"])
    bp.add_url_rule("/openapi.json", view_func=openapi.openapi_json)
    bp.add_url_rule("/docs", view_func=openapi.docs_page)
    for blueprint in (bp, fallback):
        blueprint.add_url_rule("/", "unknown", unknown_path)
        blueprint.add_url_rule("/<path:rest>", "unknown_path", unknown_path)
        api_http.install_error_handlers(blueprint)
    limiter.limit(
        _config_limit("KIKI_API_RATE_LIMIT", "120 per minute"),
        key_func=bearer.rate_key_per_token,
    )(bp)
    limiter.limit(
        _config_limit("KIKI_API_IP_RATE_LIMIT", "600 per minute"),
        key_func=bearer.rate_key_per_ip,
    )(bp)
    csrf.exempt(bp)
    csrf.exempt(fallback)


_register_routes()


def init_app(app: Flask) -> None:
    """Register the API, its bearer authentication (the guard calls it), CORS and the audit queue."""
    api_http.check_limits(app)
    app.register_blueprint(bp)
    app.register_blueprint(fallback)
    api_http.install(app)
    app.extensions["kiki_api_auth"] = bearer.authenticate_request
    app.extensions["kiki_api_audit"] = AuditBatcher(
        app.extensions["kiki_db"].sessionmaker
    )
