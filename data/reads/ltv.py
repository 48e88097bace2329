"""Predicted lifetime value: the newest prediction per campaign, and the LTV page's frames by
acquisition campaign and monthly cohort (definitions: data/ltv_definitions.py)."""

from __future__ import annotations

import datetime as dt
import functools
import math
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.filters import DateRange
from data.ltv_definitions import (
    MIN_COHORT_MONTHS,
    by_month,
    cac,
    combine_cohorts,
    combined_curve,
    nan_if_none,
    payback_months,
)
from data.metric_definitions import CENT
from data.models import LtvCohortValue, LtvPrediction
from data.reads.queries import (
    bound_params,
    campaigns,
    metric_filter,
    pm,
    row_columns,
)
from data.scope import Scope

LTV_COLUMNS = [
    "campaign_id",
    "campaign_name",
    "cohort_size",
    "predicted_ltv",
    "acquisition_cost",
    "payback_days",
    "confidence",
    "model_version",
    "predicted_at",
]


def latest_ltv(
    session: Session, scope: Scope, campaign_id: int | None = None
) -> pd.DataFrame:
    """The newest LTV prediction per campaign (or for one campaign). Columns: LTV_COLUMNS."""
    params = {"organization_id": scope.organization_id, "campaign_id": campaign_id}
    rows = session.execute(_ltv_statement(campaign_id is not None), params).all()
    return pd.DataFrame(row_columns(rows, LTV_COLUMNS))


@functools.cache
def _ltv_statement(one_campaign: bool):
    ltv = LtvPrediction.__table__
    org = sa.bindparam("organization_id")
    newest = (
        sa.select(ltv.c.campaign_id, sa.func.max(ltv.c.predicted_at).label("at"))
        .where(ltv.c.organization_id == org)
        .group_by(ltv.c.campaign_id)
        .subquery()
    )
    stmt = (
        sa.select(
            ltv.c.campaign_id,
            campaigns.c.name.label("campaign_name"),
            ltv.c.cohort_size,
            ltv.c.predicted_ltv,
            ltv.c.acquisition_cost,
            ltv.c.payback_days,
            ltv.c.confidence,
            ltv.c.model_version,
            ltv.c.predicted_at,
        )
        .join(
            newest,
            sa.and_(
                newest.c.campaign_id == ltv.c.campaign_id,
                newest.c.at == ltv.c.predicted_at,
            ),
        )
        .join(campaigns, campaigns.c.id == ltv.c.campaign_id)
        .where(ltv.c.organization_id == org)
        .order_by(campaigns.c.name, ltv.c.id)
    )
    if one_campaign:
        stmt = stmt.where(ltv.c.campaign_id == sa.bindparam("campaign_id"))
    return stmt


# Every frame below: the campaign-month cohorts acquired in the range on the platforms.
COHORT_COLUMNS = [
    "campaign_id",
    "campaign_name",
    "cohort_month",  # date, the month's first day
    "customers",  # int: conversions in the month, within the range and platforms
    "spend",  # Decimal: spend in the month, within the range and platforms
    "cac",  # float: spend / customers; NaN without customers or spend
    "ltv_per_customer",  # float: the campaign's newest prediction per customer; NaN without one
    "ltv_cac",  # float: predicted_ltv * customers / spend; NaN when either is missing
    "months_observed",  # int: months of cumulative value the model has for the cohort
    "value_to_date",  # float: the latest cumulative value per customer; NaN without one
    "payback_months",  # float: first month since acquisition where value >= CAC; NaN: not yet
    "too_young",  # bool: months_observed < MIN_COHORT_MONTHS
]
# By campaign or by month: the cohorts combined (young ones left out of the ratios).
SUMMARY_COLUMNS = [
    "cohorts",  # int
    "young_cohorts",  # int: too young to judge, left out of every ratio below
    "customers",  # int: every cohort (reconciles with the overview's conversions)
    "spend",  # Decimal: every cohort (reconciles with the overview's spend)
    "judged_customers",  # int: cohorts old enough to judge
    "judged_spend",  # Decimal
    "cac",  # float: judged_spend / judged_customers
    "ltv_per_customer",  # float: customer-weighted over judged cohorts with a prediction
    "ltv_cac",  # float: their predicted value / their spend
    "payback_months",  # float: of the customer-weighted curve of the judged cohorts; NaN: not yet
    "median_payback_months",  # float: lower median over judged cohorts with a CAC; NaN: not yet
]
CAMPAIGN_COLUMNS = ["campaign_id", "campaign_name", *SUMMARY_COLUMNS]
MONTH_COLUMNS = ["cohort_month", "too_young", *SUMMARY_COLUMNS]
CURVE_COLUMNS = [
    "key",  # campaign id (payback curves) or cohort month (heatmap)
    "label",  # campaign name or "Nov 2026"
    "months_since",  # int, 0 = the month of acquisition
    "cumulative_value_per_customer",  # float, customer-weighted
    "cac",  # float: the key's CAC (NaN without one)
    "too_young",  # bool (heatmap: the month's cohorts are too young)
]


def ltv_cohorts(
    session: Session, scope: Scope, rng: DateRange, platforms: tuple[str, ...] = ()
) -> pd.DataFrame:
    """One row per campaign and month of acquisition in ``rng`` on ``platforms`` (all when
    empty) with customers or spend. Columns: COHORT_COLUMNS, ordered by month then campaign."""
    return pd.DataFrame(
        [_cohort_row(c) for c in _cohorts(session, scope, rng, platforms)],
        columns=COHORT_COLUMNS,
    )


def ltv_by_campaign(
    session: Session, scope: Scope, rng: DateRange, platforms: tuple[str, ...] = ()
) -> pd.DataFrame:
    """The cohorts of each acquisition campaign combined. Columns: CAMPAIGN_COLUMNS, by name."""
    rows = [
        {"campaign_id": cid, "campaign_name": name, **combine_cohorts(cohorts)}
        for (name, cid), cohorts in _by_campaign(
            _cohorts(session, scope, rng, platforms)
        ).items()
    ]
    return pd.DataFrame(rows, columns=CAMPAIGN_COLUMNS)


def _by_campaign(cohorts: list[dict]) -> dict[tuple, list[dict]]:
    """Cohorts grouped by (campaign name, id), in that order."""
    groups: dict[tuple, list[dict]] = {}
    for c in cohorts:
        groups.setdefault((c["campaign_name"], c["campaign_id"]), []).append(c)
    return dict(sorted(groups.items()))


def ltv_by_month(
    session: Session, scope: Scope, rng: DateRange, platforms: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Each monthly cohort across campaigns; a month whose cohorts are all too young keeps its
    own figures and too_young=True. Columns: MONTH_COLUMNS, oldest month first."""
    rows = []
    for month, cohorts in by_month(_cohorts(session, scope, rng, platforms)).items():
        young = all(c["too_young"] for c in cohorts)
        rows.append(
            {
                "cohort_month": month,
                "too_young": young,
                **combine_cohorts(cohorts, young),
            }
        )
    return pd.DataFrame(rows, columns=MONTH_COLUMNS)


def ltv_totals(
    session: Session, scope: Scope, rng: DateRange, platforms: tuple[str, ...] = ()
) -> pd.DataFrame:
    """One row: every cohort combined (the page's KPI cards). Columns: SUMMARY_COLUMNS."""
    return pd.DataFrame(
        [combine_cohorts(_cohorts(session, scope, rng, platforms))],
        columns=SUMMARY_COLUMNS,
    )


def ltv_cohort_heatmap(
    session: Session, scope: Scope, rng: DateRange, platforms: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Cumulative value per customer of each month's cohorts (customer-weighted across
    campaigns) by months since acquisition. Columns: CURVE_COLUMNS, key = cohort month."""
    rows = []
    for month, cohorts in by_month(_cohorts(session, scope, rng, platforms)).items():
        young = all(c["too_young"] for c in cohorts)
        summary = combine_cohorts(cohorts, young)
        label = month.strftime("%b %Y")
        rows += _curve_rows(
            month, label, combined_curve(cohorts, young), summary["cac"], young
        )
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


def ltv_payback_curves(
    session: Session, scope: Scope, rng: DateRange, platforms: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Each campaign's cumulative value per customer over its judged cohorts (customer-weighted)
    beside its CAC. Columns: CURVE_COLUMNS, key = campaign id; campaigns without a judged
    cohort are left out."""
    rows = []
    for (name, cid), own in _by_campaign(
        _cohorts(session, scope, rng, platforms)
    ).items():
        cost = combine_cohorts(own)["cac"]
        rows += _curve_rows(cid, name, combined_curve(own), cost, False)
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


def _curve_rows(key, label, curve, cost, young) -> list[dict]:
    return [
        {
            "key": key,
            "label": label,
            "months_since": k,
            "cumulative_value_per_customer": value,
            "cac": math.nan if cost is None else cost,
            "too_young": young,
        }
        for k, value in enumerate(curve)
    ]


def _cohort_row(c: dict) -> dict:
    ltv, cost = c["ltv_per_customer"], c["cac"]
    return {
        **{name: c[name] for name in COHORT_COLUMNS if name in c},
        "cac": nan_if_none(cost),
        "ltv_per_customer": nan_if_none(ltv),
        "ltv_cac": math.nan if ltv is None or cost is None else ltv / cost,
        "months_observed": len(c["curve"]),
        "value_to_date": c["curve"][-1] if c["curve"] else math.nan,
        "payback_months": c["payback"],
    }


def _cohorts(session, scope, rng, platforms) -> list[dict]:
    """The campaign-month cohorts as dicts: COHORT_COLUMNS' sources plus ``curve`` (the
    cumulative value per customer by months since, floats) and ``payback``."""
    params = {
        **bound_params(scope, rng, platforms),
        "first_month": rng.start.replace(day=1),
    }
    sums = session.execute(_cohort_sums_statement(bool(platforms)), params).all()
    predicted = {
        row.campaign_id: float(row.predicted_ltv)
        for row in latest_ltv(session, scope).itertuples()
    }
    curves: dict[tuple, list[float]] = {}
    for row in session.execute(_cohort_values_statement(), params):
        curves.setdefault((row.campaign_id, row.cohort_month), []).append(
            float(row.cumulative_value_per_customer)
        )
    cohorts = []
    for row in sums:
        month = dt.date(int(row.year), int(row.month), 1)
        spend = Decimal(row.spend or 0).quantize(CENT)
        curve = curves.get((row.campaign_id, month), [])
        cost = cac(spend, int(row.customers or 0))
        cohorts.append(
            {
                "campaign_id": row.campaign_id,
                "campaign_name": row.campaign_name,
                "cohort_month": month,
                "customers": int(row.customers or 0),
                "spend": spend,
                "cac": cost,
                "ltv_per_customer": predicted.get(row.campaign_id),
                "curve": curve,
                "payback": payback_months(curve, cost),
                "too_young": len(curve) < MIN_COHORT_MONTHS,
            }
        )
    return sorted(
        cohorts, key=lambda c: (c["cohort_month"], c["campaign_name"], c["campaign_id"])
    )


@functools.cache
def _cohort_sums_statement(filtered: bool):
    year, month = sa.extract("year", pm.c.date), sa.extract("month", pm.c.date)
    return (
        sa.select(
            pm.c.campaign_id,
            campaigns.c.name.label("campaign_name"),
            year.label("year"),
            month.label("month"),
            sa.func.sum(pm.c.conversions).label("customers"),
            sa.func.sum(pm.c.spend).label("spend"),
        )
        .join(campaigns, campaigns.c.id == pm.c.campaign_id)
        .where(*metric_filter(filtered))
        .group_by(pm.c.campaign_id, campaigns.c.name, year, month)
        .having(sa.or_(sa.func.sum(pm.c.conversions) > 0, sa.func.sum(pm.c.spend) > 0))
    )


@functools.cache
def _cohort_values_statement():
    values = LtvCohortValue.__table__
    return (
        sa.select(
            values.c.campaign_id,
            values.c.cohort_month,
            values.c.cumulative_value_per_customer,
        )
        .where(
            values.c.organization_id == sa.bindparam("organization_id"),
            values.c.cohort_month.between(
                sa.bindparam("first_month"), sa.bindparam("end")
            ),
        )
        .order_by(values.c.campaign_id, values.c.cohort_month, values.c.months_since)
    )
