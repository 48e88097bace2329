"""Builders for the campaign-detail page: its tables' columns, creatives, LTV summary, exports."""

from __future__ import annotations

import math
from urllib.parse import urlencode

import pandas as pd
from dash import dcc, html

from components.controls import export_links
from components.creatives import library_table
from components.labels import asset_kind_label
from data.filters import DateRange

DEPLOYMENT_TABLE = [
    ("platform", "Platform"), ("variant_label", "Variant"), ("status", "Status"),
    ("impressions", "Impressions"), ("clicks", "Clicks"), ("conversions", "Conversions"),
    ("spend", "Spend"), ("revenue", "Revenue"), ("roas", "ROAS"), ("cpa", "CPA"),
]  # fmt: skip
VARIANT_TABLE = [
    ("variant_label", "Variant"), ("headline", "Headline"), ("impressions", "Impressions"),
    ("clicks", "Clicks"), ("conversions", "Conversions"), ("ctr", "CTR"),
    ("ctr_ci", "CTR 95% CI"), ("cvr", "CVR"), ("cvr_ci", "CVR 95% CI"), ("roas", "ROAS"),
    ("verdict", "Verdict (CVR vs A)"),
]  # fmt: skip
KPI_CARDS = [
    ("revenue", "Revenue"), ("spend", "Spend"), ("profit", "Profit"), ("roas", "ROAS"),
    ("conversions", "Conversions"), ("cpa", "CPA"), ("ctr", "CTR"), ("cvr", "CVR"),
]  # fmt: skip


def _interval(low: float, high: float) -> str:
    return "—" if math.isnan(low) else f"{100 * low:.2f}% – {100 * high:.2f}%"


def variant_rows(variants: pd.DataFrame) -> pd.DataFrame:
    """The variant_comparison frame with its intervals as readable text columns."""
    shown = variants.copy()
    shown["ctr_ci"] = [
        _interval(lo, hi) for lo, hi in zip(shown["ctr_low"], shown["ctr_high"])
    ]
    shown["cvr_ci"] = [
        _interval(lo, hi) for lo, hi in zip(shown["cvr_low"], shown["cvr_high"])
    ]
    return shown


def creatives_list(
    frames: dict[str, pd.DataFrame],
    library: pd.DataFrame | None = None,
    campaign_id: int | None = None,
) -> html.Div:
    """Image and video prompts as a list, then the campaign's creatives: with ``library``
    (data/reads/creative_library.py) a table with their badges and performance, highest revenue
    first; without it, the user assets as a list."""
    items = [html.Li(f"Image prompt: {p}") for p in frames["image_prompts"]["prompt"]]
    items += [html.Li(f"Video prompt: {p}") for p in frames["video_prompts"]["prompt"]]
    if library is None:
        items += [
            html.Li(
                f"{asset_kind_label(row.kind)} asset: {row.filename} ({row.size_bytes:,} "
                f"bytes, sha256 {row.sha256[:12]}…)"
            )
            for row in frames["user_assets"].itertuples()
        ]
    add = (
        dcc.Link(
            "Add or link creatives", href=f"/creatives?campaign_id={int(campaign_id)}"
        )
        if campaign_id
        else None
    )
    if not items and (library is None or library.empty):
        return html.Div([html.P("No prompts or assets yet.", className="mb-1"), add])
    parts = [html.Ul(items, className="mb-2")] if items else []
    if library is not None and not library.empty:
        parts.append(library_table(library, "revenue", can_edit=False))
    parts.append(add)
    return html.Div(parts)


def ltv_summary(frame: pd.DataFrame) -> html.P:
    """One sentence about the newest LTV prediction, or that there is none."""
    if frame.empty:
        return html.P("No LTV prediction for this campaign yet.", className="mb-0")
    row = frame.iloc[0]
    days = row["payback_days"]
    payback = "not within the horizon" if pd.isna(days) else f"{int(days)} days"
    return html.P(
        f"Predicted LTV ${row['predicted_ltv']:,.2f} per customer against an acquisition "
        f"cost of ${row['acquisition_cost']:,.2f}; payback {payback} (cohort of "
        f"{int(row['cohort_size']):,}, model {row['model_version']}, "
        f"{row['predicted_at']:%Y-%m-%d}).",
        className="mb-0",
    )


def detail_exports(campaign_id: int, rng: DateRange) -> html.Div:
    """CSV buttons for the page's tables (ids campaign-export-daily/deployments/variants) and the
    PDF of the whole page (campaign-export-pdf)."""
    query = urlencode(
        {
            "campaign_id": campaign_id,
            "start": rng.start.isoformat(),
            "end": rng.end.isoformat(),
        }
    )
    kinds = [("daily", "Daily metrics CSV"), ("deployments", "Deployments CSV"),
             ("variants", "Variants CSV")]  # fmt: skip
    pdf_query = urlencode({"start": rng.start.isoformat(), "end": rng.end.isoformat()})
    return export_links(
        "campaign",
        [
            *(
                (kind, label, f"/export/campaign/{kind}.csv?{query}")
                for kind, label in kinds
            ),
            ("pdf", "Export PDF", f"/export/campaign/{campaign_id}.pdf?{pdf_query}"),
        ],
    )
