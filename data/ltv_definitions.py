"""The LTV and payback definitions of issue 31, in one place: words for the page and README, and
the arithmetic that combines monthly acquisition cohorts."""

from __future__ import annotations

import math
import statistics
from decimal import Decimal

from data.metric_definitions import CENT

# A cohort with fewer months of value than this (its own month counts as the first) is too
# young to judge: shown and marked, never averaged into a campaign's or the page's figures.
MIN_COHORT_MONTHS = 3

DEFINITIONS = [
    (
        "Customers",
        (
            "Conversions in performance data, counted in the calendar month they happened "
            "(their acquisition cohort), within the chosen range and platforms."
        ),
    ),
    (
        "CAC",
        "Customer acquisition cost: spend ÷ customers. No customers or no spend: no value (—).",
    ),
    (
        "Predicted LTV per customer",
        "The newest prediction of the acquisition campaign (ltv_predictions).",
    ),
    (
        "LTV:CAC",
        "Predicted LTV × customers ÷ spend, over the same cohorts (above 3× is usually healthy).",
    ),
    (
        "Cumulative value per customer",
        (
            "What the prediction model has recorded a cohort's customers bringing in, in total, by "
            "each month since acquisition (month 0 is the month of acquisition)."
        ),
    ),
    (
        "Payback period",
        (
            "Months since acquisition until the cumulative value per customer reaches the CAC; "
            '"not yet" when it has not reached it.'
        ),
    ),
    (
        "Too young",
        (
            f"A cohort with fewer than {MIN_COHORT_MONTHS} months of value. It is listed and marked, "
            "but left out of every campaign figure, total and median."
        ),
    ),
    (
        "Totals",
        (
            "Customers and spend count every cohort (they equal the overview's conversions and "
            "spend for the same range and platforms); CAC, LTV, LTV:CAC and payback count judged "
            'cohorts only, weighted by their customers. The median payback counts "not yet" as '
            "longer than any; for an even count it is the lower of the two middle cohorts."
        ),
    ),
]


def cac(spend: Decimal, customers: int) -> float | None:
    """spend / customers; no value without customers or without spend."""
    if not customers or not spend:
        return None
    return float(spend) / customers


def weighted_curve(curves: list[list[float]], weights: list[int]) -> list[float]:
    """The customer-weighted mean of cumulative value curves, month by month, over the cohorts
    that have reached that month; months no weighted cohort reached are left off."""
    out = []
    for k in range(max((len(c) for c in curves), default=0)):
        pairs = [(c[k], w) for c, w in zip(curves, weights, strict=True) if len(c) > k]
        total = sum(w for _, w in pairs)
        if not total:
            break
        out.append(sum(v * w for v, w in pairs) / total)
    return out


def payback_months(curve: list[float], cost: float | None) -> float:
    """The first month since acquisition whose cumulative value reaches ``cost``; NaN when
    there is no cost or it has not been reached ("not yet")."""
    if cost is None:
        return math.nan
    return next((float(k) for k, v in enumerate(curve) if v >= cost), math.nan)


def median_payback(paybacks: list[float]) -> float:
    """The lower median of payback months, "not yet" (NaN) counting as the longest; NaN when
    there is none or the median is not yet."""
    if not paybacks:
        return math.nan
    value = statistics.median_low(math.inf if math.isnan(p) else p for p in paybacks)
    return math.nan if math.isinf(value) else value


def by_month(cohorts: list[dict]) -> dict:
    """Cohorts grouped by acquisition month, oldest first."""
    months: dict = {}
    for c in sorted(cohorts, key=lambda c: c["cohort_month"]):
        months.setdefault(c["cohort_month"], []).append(c)
    return months


def judged_cohorts(cohorts: list[dict], include_young: bool) -> list[dict]:
    return cohorts if include_young else [c for c in cohorts if not c["too_young"]]


def combined_curve(cohorts: list[dict], include_young: bool = False) -> list[float]:
    """The customer-weighted cumulative value curve of the (judged) cohorts."""
    judged = judged_cohorts(cohorts, include_young)
    return weighted_curve(
        [c["curve"] for c in judged], [c["customers"] for c in judged]
    )


def combine_cohorts(cohorts: list[dict], include_young: bool = False) -> dict:
    """data/reads/ltv.py's SUMMARY_COLUMNS of ``cohorts`` (the dicts its _cohorts makes); young
    ones count in customers and spend only (unless ``include_young``: a month that is young as
    a whole is described on its own)."""
    judged = judged_cohorts(cohorts, include_young)
    customers = sum(c["customers"] for c in judged)
    spend = sum((c["spend"] for c in judged), CENT)
    cost = cac(spend, customers)
    predicted = [c for c in judged if c["ltv_per_customer"] is not None]
    value = sum(c["ltv_per_customer"] * c["customers"] for c in predicted)
    predicted_customers = sum(c["customers"] for c in predicted)
    predicted_spend = sum(float(c["spend"]) for c in predicted)
    return {
        "cohorts": len(cohorts),
        "young_cohorts": sum(c["too_young"] for c in cohorts),
        "customers": sum(c["customers"] for c in cohorts),
        "spend": sum((c["spend"] for c in cohorts), CENT),
        "judged_customers": customers,
        "judged_spend": spend,
        "cac": nan_if_none(cost),
        "ltv_per_customer": value / predicted_customers
        if predicted_customers
        else math.nan,
        "ltv_cac": value / predicted_spend if predicted_spend else math.nan,
        "payback_months": payback_months(combined_curve(judged, True), cost),
        "median_payback_months": median_payback(
            [c["payback"] for c in judged if c["cac"] is not None]
        ),
    }


def nan_if_none(value: float | None) -> float:
    return math.nan if value is None else value
