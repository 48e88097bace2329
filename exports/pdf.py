"""PDF reports of the overview, the campaign list and one campaign: documents, not screenshots.

``build_pdf(session, scope, view, params, root=…)`` makes the file for a view and its query
parameters; the routes below and the scheduled e-mails (exports/report_files.py) both call it,
so an e-mailed report is the route's PDF by construction.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import Blueprint, Flask, Response, current_app, g, request
from sqlalchemy.orm import Session

from auth.access import requires_role
from auth.security import limiter
from components.campaign_detail import (
    DEPLOYMENT_TABLE,
    KPI_CARDS,
    VARIANT_TABLE,
    variant_rows,
)
from components.campaign_table import COLUMNS as CAMPAIGN_TABLE
from components.figures import (
    campaign_daily_figure,
    platform_breakdown_figure,
    revenue_trend_figure,
)
from components.format import metric
from components.kpi import kpi_change
from components.labels import column_label, platforms_label, status_label
from data.db import db_session
from data.filters import InvalidFilter, parse_granularity, parse_platforms, parse_range
from data.reads.ab_variants import variant_comparison
from data.reads.campaign_detail import (
    campaign_daily,
    campaign_deployments,
    campaign_info,
    campaign_totals,
)
from data.reads.campaign_list import iter_campaign_list
from data.reads.overview import kpi_summary, platform_breakdown, revenue_trend
from data.reads.queries import fee_rate
from data.reads.report_context import report_context
from data.scope import Scope
from exports.lists import campaign_filter_words, campaign_list_filters
from exports.pdf_document import (
    ROW_LIMIT,
    Section,
    Table,
    frame_table,
    render_pdf,
    view_url,
)
from exports.responses import (
    bad_request,
    export_error,
    export_filename,
    not_found,
    record_export,
)

bp = Blueprint("pdf_exports", __name__, url_prefix="/export")

OVERVIEW_KPIS = [("revenue", "Revenue"), ("spend", "Spend"), ("fee", "Performance fee"),
                 ("profit", "Profit"), ("roas", "ROAS"), ("conversions", "Conversions"),
                 ("cpa", "CPA")]  # fmt: skip
SUMMARY_COLUMNS = [("spend", "Spend"), ("revenue", "Revenue"), ("profit", "Profit"),
                   ("fee", "Fee"), ("roas", "ROAS"), ("conversions", "Conversions"),
                   ("cpa", "CPA"), ("ctr", "CTR")]  # fmt: skip
GRANULARITY_WORDS = {"day": "daily", "week": "weekly", "month": "monthly"}


def _range_words(rng) -> str:
    return f"{rng.start.isoformat()} to {rng.end.isoformat()} ({rng.days} days)"


def _platform_words(platforms) -> str:
    return "Platforms: " + (platforms_label(",".join(platforms)) or "all")


class NoSuchReport(LookupError):
    """The view names something the organization does not have (a campaign): a 404."""


class PdfFailed(RuntimeError):
    """The charts or the layout failed: an error for the person, never a partial file."""


@dataclass
class Document:
    """A view's report before rendering: what the file is named after and what it holds."""

    kind: str
    rng: object  # data.filters.DateRange
    words: list[str]  # the file name's filter parts
    back: str  # the view's path, for the link back
    title: str
    filters: list[str]
    sections: list[Section]
    extra: dict = field(default_factory=dict)  # notice, notice_link


def build_pdf(
    session: Session,
    scope: Scope,
    view: str,
    params: Mapping[str, str],
    *,
    root: str,
    campaign_id: int | None = None,
) -> tuple[bytes, str]:
    """(PDF bytes, file name) of ``view`` ("overview", "campaigns", "campaign") for ``params``
    (the route's query parameters) in ``scope``; links are absolute under ``root``. Raises
    InvalidFilter (a parameter), NoSuchReport (the campaign) or PdfFailed (rendering)."""
    document = build_document(session, scope, view, params, root, campaign_id)
    return render_document(session, scope, document, params, root)


def build_document(session, scope, view, params, root, campaign_id=None) -> Document:
    """The sections of ``view`` (reads only; raises InvalidFilter or NoSuchReport)."""
    if view == "overview":
        return _overview_document(session, scope, params)
    if view == "campaigns":
        return _campaigns_document(session, scope, params, root)
    if view == "campaign" and campaign_id is not None:
        return _campaign_document(session, scope, campaign_id, params, root)
    raise NoSuchReport(f"no report of {view!r}")


def render_document(
    session, scope, document: Document, params, root
) -> tuple[bytes, str]:
    """The PDF of ``document`` and its file name; PdfFailed when the charts or layout fail."""
    context = report_context(session, scope).iloc[0]
    try:
        body = render_pdf(
            organization=context["organization_name"],
            latest=context["latest_metrics_date"],
            view_link=view_url(root, document.back, params),
            root=root,
            title=document.title,
            filters=document.filters,
            sections=document.sections,
            **document.extra,
        )
    except Exception as exc:
        raise PdfFailed(str(exc)[:200]) from exc
    name = export_filename(document.kind, document.rng, *document.words)
    return body, name[: -len(".csv")] + ".pdf"


def _pdf_route(view: str, back: str, audit: dict, campaign_id: int | None = None):
    """A PDF route's answer: 400 for a bad parameter, 404 for a missing campaign, the export
    error when rendering fails, else the file (audited like the CSVs)."""
    g.scope.require("analyst")
    params = request.args.to_dict()
    session, root = db_session(), request.url_root
    try:
        document = build_document(session, g.scope, view, params, root, campaign_id)
    except InvalidFilter as exc:
        return bad_request(exc, back=back)
    except NoSuchReport:
        return not_found(
            "There is no such campaign in your organization.", back="/campaigns"
        )
    record_export(f"{view}_pdf", audit)
    return answer_pdf(session, document, params, root)


def answer_pdf(session, document: Document, params, root: str) -> Response:
    """The rendered ``document`` as an attachment for the signed-in scope, or the export error
    (503 ``pdf_failed``) when the charts or the layout fail: never a partial file."""
    try:
        body, name = render_document(session, g.scope, document, params, root)
    except PdfFailed as exc:
        current_app.logger.warning("pdf_failed", exc_info=exc.__cause__)
        return export_error(
            503,
            "pdf_failed",
            "The PDF could not be made just now. Try again, or use the CSV export.",
            back=document.back,
        )
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _audit_params() -> dict:
    return {k: v[:200] for k, v in request.args.items()}


def _kpi_table(current, previous, names) -> Table:
    rows = []
    for name, label in names:
        change = (
            kpi_change(name, current[name], previous[name])
            if previous is not None
            else ""
        )
        rows.append([label, metric(name, current[name]), change or "—"])
    return Table(["Metric", "This period", "Change vs previous period"], rows)


@bp.get("/overview.pdf")
@requires_role("analyst")
@limiter.limit("10 per minute")
def overview_pdf():
    """The overview: KPIs with their changes, both charts and their tables, for the filters."""
    return _pdf_route("overview", "/", _audit_params())


def _overview_document(session, scope, params) -> Document:
    rng = parse_range(params.get("start"), params.get("end"))
    platforms = parse_platforms(params.get("platform"))
    granularity = parse_granularity(params.get("granularity"))
    kpis = kpi_summary(session, scope, rng, platforms).set_index("period")
    trend = revenue_trend(session, scope, rng, granularity, platforms)
    breakdown = platform_breakdown(session, scope, rng, platforms)
    kpi_table = _kpi_table(kpis.loc["current"], kpis.loc["previous"], OVERVIEW_KPIS)
    kpi_table.rows.insert(0, ["Campaigns", metric("campaigns", int(kpis.loc["current"]["campaigns_total"])),
                              f"{int(kpis.loc['current']['campaigns_active']):,} active"])  # fmt: skip
    sections = [
        Section("Key figures", tables=[kpi_table]),
        Section(
            "Revenue and spend",
            charts=[revenue_trend_figure(trend, "light", granularity, rng)],
            tables=[frame_table(trend, [("bucket", "Period"), *SUMMARY_COLUMNS])],
        ),
        Section(
            "Platforms",
            charts=[platform_breakdown_figure(breakdown, "light")],
            tables=[
                frame_table(breakdown, [("platform", "Platform"), *SUMMARY_COLUMNS])
            ],
        ),
    ]
    words = [_range_words(rng), _platform_words(platforms),
             f"Granularity: {GRANULARITY_WORDS.get(granularity, granularity)}"]  # fmt: skip
    return Document(
        "overview", rng, [*sorted(platforms), granularity], "/",
        title="Overview", filters=words, sections=sections,
    )  # fmt: skip


def _campaign_list_words(rng, filters) -> list[str]:
    words = [_range_words(rng), _platform_words(filters.platforms)]
    statuses = ", ".join(status_label(s) for s in sorted(filters.statuses))
    words.append(f"Statuses: {statuses or 'all'}")
    if filters.search:
        words.append(f"Name contains “{filters.search}”")
    if filters.min_spend is not None:
        words.append(f"Spend at least {metric('spend', filters.min_spend)}")
    if filters.roas_min is not None:
        words.append(f"ROAS at least {metric('roas', filters.roas_min)}")
    if filters.roas_max is not None:
        words.append(f"ROAS at most {metric('roas', filters.roas_max)}")
    order = "descending" if filters.descending else "ascending"
    words.append(f"Sorted by {column_label(filters.sort_by)} ({order})")
    return words


@bp.get("/campaigns.pdf")
@requires_role("analyst")
@limiter.limit("10 per minute")
def campaigns_pdf():
    """Every campaign of the list's filters and sort (up to ROW_LIMIT rows; the CSV has all)."""
    return _pdf_route("campaigns", "/campaigns", _audit_params())


def _campaigns_document(session, scope, params, root) -> Document:
    rng, filters = campaign_list_filters(params)
    columns = [(name, header) for name, header, _kind in CAMPAIGN_TABLE]
    rows, total = [], 0
    for frame in iter_campaign_list(session, scope, rng, filters):
        total += len(frame)
        room = ROW_LIMIT - len(rows)
        if room > 0:
            rows += frame_table(frame.head(room), columns).rows
    extra = {}
    if total > ROW_LIMIT:
        extra = {
            "notice": f"This PDF lists the first {ROW_LIMIT:,} of {total:,} campaigns.",
            "notice_link": view_url(root, "/export/campaigns.csv", params),
        }
    table = Table([h for _, h in columns], rows, "No campaign matches these filters.")
    section = Section("Campaigns", tables=[table], note=f"{total:,} campaigns")
    return Document(
        "campaigns", rng, campaign_filter_words(filters), "/campaigns",
        title="Campaigns", filters=_campaign_list_words(rng, filters),
        sections=[section], extra=extra,
    )  # fmt: skip


@bp.get("/campaign/<campaign_id>.pdf")
@requires_role("analyst")
@limiter.limit("10 per minute")
def campaign_pdf(campaign_id: str):
    """One campaign: its totals, daily chart, deployments, A/B variants and daily rows."""
    if not campaign_id.isdigit() or int(campaign_id) > 2**31 - 1:
        return bad_request(
            InvalidFilter("campaign_id", "campaign_id: expected a campaign number."),
            back="/campaigns",
        )
    number = int(campaign_id)
    audit = {"campaign_id": campaign_id, **_audit_params()}
    return _pdf_route("campaign", f"/campaigns/{number}", audit, number)


def _campaign_document(session, scope, number: int, params, root) -> Document:
    rng = parse_range(params.get("start"), params.get("end"))
    info = campaign_info(session, scope, number)
    if info.empty:
        raise NoSuchReport(f"The campaign {number} is no longer in the organization.")
    rate = fee_rate(session, scope)
    daily = campaign_daily(session, scope, number, rng, rate)
    deployments = campaign_deployments(session, scope, number, rng, rate)
    variants = variant_rows(variant_comparison(session, scope, number, rng, rate))
    totals = campaign_totals(session, scope, deployments, rate).iloc[0]
    kpis = Table(
        ["Metric", "This period"],
        [[label, metric(n, totals[n])] for n, label in KPI_CARDS],
    )
    name, status = info.iloc[0]["name"], status_label(info.iloc[0]["status"])
    sections = [
        Section("Key figures", tables=[kpis]),
        Section("Daily revenue and spend", charts=[campaign_daily_figure(daily, "light")]),
        Section("Deployments", tables=[frame_table(deployments, DEPLOYMENT_TABLE, "Not deployed on any platform yet.")]),
        Section("Ad-copy variants (A/B)", tables=[frame_table(variants, VARIANT_TABLE, "No ad-copy variants.")]),
        Section("Daily metrics", tables=[frame_table(
            daily.head(ROW_LIMIT), [("date", "Date"), ("platform", "Platform"), *SUMMARY_COLUMNS])]),
    ]  # fmt: skip
    return Document(
        f"campaign-{number}", rng, [], f"/campaigns/{number}",
        title=f"Campaign: {name}", filters=[_range_words(rng), f"Status: {status}"],
        sections=sections, extra=_daily_limit(number, len(daily), params, root),
    )  # fmt: skip


def _daily_limit(number: int, rows: int, params, root: str) -> dict:
    """The first page's notice when a campaign's daily rows pass ROW_LIMIT (a long range on
    several platforms): the daily-metrics CSV of the same range holds them all."""
    if rows <= ROW_LIMIT:
        return {}
    return {
        "notice": f"The daily metrics table lists the first {ROW_LIMIT:,} of {rows:,} rows.",
        "notice_link": view_url(
            root, "/export/campaign/daily.csv", {"campaign_id": number, **params}
        ),
    }


def init_app(app: Flask) -> None:
    # WeasyPrint reports each layout step at INFO: seven log lines a PDF say nothing to operators.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    app.register_blueprint(bp)
