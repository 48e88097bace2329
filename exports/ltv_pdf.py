"""The LTV page as a PDF (GET /export/ltv.pdf): its figures, heatmap, payback curves, both tables
and the definitions, for the page's own query parameters."""

from __future__ import annotations

import pandas as pd
from flask import Blueprint, Flask, g, request

from auth.access import requires_role
from auth.security import limiter
from components.format import metric
from components.labels import platforms_label
from components.ltv import SUMMARY, YOUNG, payback_text
from components.ltv_figures import (
    cohort_heatmap_figure,
    month_label,
    payback_curves_figure,
)
from data.db import db_session
from data.filters import InvalidFilter, parse_platforms, parse_range
from data.ltv_definitions import DEFINITIONS, MIN_COHORT_MONTHS
from data.reads.ltv import (
    ltv_by_campaign,
    ltv_by_month,
    ltv_cohort_heatmap,
    ltv_payback_curves,
    ltv_totals,
)
from exports.pdf import Document, answer_pdf
from exports.pdf_document import Section, Table, frame_table
from exports.responses import bad_request, record_export

bp = Blueprint("ltv_pdf_export", __name__, url_prefix="/export")
NO_COHORTS = "No customers or spend in this period."
# The page's SUMMARY columns, with the payback in words ("2 months", "not yet", "—").
COLUMNS = [
    (name, label) if name != "payback" else ("payback_words", label)
    for name, label in SUMMARY
]


def _with_payback(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(
        payback_words=[
            payback_text(m, c) for m, c in zip(frame["payback_months"], frame["cac"])
        ]
    )


def _key_figures(totals: pd.Series) -> Table:
    """The page's six cards as rows, with the same notes."""
    young, cohorts = int(totals["young_cohorts"]), int(totals["cohorts"])
    rows = [
        ["Customers", metric("customers", int(totals["customers"])),
         f"{young:,} of {cohorts:,} cohorts too young"],
        ["Spend", metric("spend", totals["spend"]), "all cohorts"],
        ["CAC", metric("cac", totals["cac"]), f"{cohorts - young:,} judged cohorts"],
        ["Predicted LTV per customer", metric("ltv_per_customer", totals["ltv_per_customer"]),
         "newest prediction per campaign"],
        ["LTV:CAC", metric("ltv_cac", totals["ltv_cac"]), "judged cohorts"],
        ["Median payback", payback_text(totals["median_payback_months"], totals["cac"]),
         "judged cohorts with a CAC"],
    ]  # fmt: skip
    return Table(["Figure", "Value", "Over"], rows)


def _campaign_table(frame: pd.DataFrame) -> Table:
    shown = _with_payback(frame).assign(
        young=[
            f"{int(y)} of {int(n)}" if y else "none"
            for y, n in zip(frame["young_cohorts"], frame["cohorts"])
        ]
    )
    columns = [("campaign_name", "Campaign"), *COLUMNS, ("young", "Young cohorts")]
    return frame_table(shown, columns, NO_COHORTS)


def _cohort_table(frame: pd.DataFrame) -> Table:
    shown = _with_payback(frame).assign(
        month=[month_label(m) for m in frame["cohort_month"]],
        judged=[YOUNG if young else "judged" for young in frame["too_young"]],
    )
    columns = [("month", "Cohort"), ("judged", "Status"), *COLUMNS]
    return frame_table(shown, columns, NO_COHORTS)


@bp.get("/ltv.pdf")
@requires_role("analyst")
@limiter.limit("10 per minute")
def ltv_pdf():
    """/ltv for its range and platforms: the figures, both charts (SVG), both tables, the terms."""
    args = request.args
    try:
        rng = parse_range(args.get("start"), args.get("end"))
        platforms = parse_platforms(args.get("platform"))
    except InvalidFilter as exc:
        return bad_request(exc, back="/ltv")
    g.scope.require("analyst")
    record_export("ltv_pdf", {k: v[:200] for k, v in args.items()})
    session, scope = db_session(), g.scope
    read = (session, scope, rng, platforms)
    sections = [
        Section("Key figures", tables=[_key_figures(ltv_totals(*read).iloc[0])]),
        Section("Value per customer by cohort",
                charts=[cohort_heatmap_figure(ltv_cohort_heatmap(*read), "light")]),
        Section("Payback curves", charts=[payback_curves_figure(ltv_payback_curves(*read), "light")]),
        Section("By acquisition campaign", tables=[_campaign_table(ltv_by_campaign(*read))]),
        Section("By monthly cohort", tables=[_cohort_table(ltv_by_month(*read))],
                note=f"Cohorts with fewer than {MIN_COHORT_MONTHS} months of value are too "
                     "young to judge and left out of every average."),
        Section("How these are computed", terms=list(DEFINITIONS)),
    ]  # fmt: skip
    words = [
        f"{rng.start.isoformat()} to {rng.end.isoformat()} ({rng.days} days)",
        "Platforms: " + (platforms_label(",".join(platforms)) or "all"),
    ]
    document = Document(
        "ltv", rng, sorted(platforms), "/ltv", "LTV and payback", words, sections
    )
    return answer_pdf(session, document, args.to_dict(), request.url_root)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
