"""A/B comparison of a campaign's ad-copy variants: metrics, Wilson intervals and a z-test verdict."""

from __future__ import annotations

import functools
from decimal import Decimal

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.filters import DateRange
from data.metric_definitions import METRIC_COLUMNS, SUMMED_COLUMNS, metrics_frame
from data.models import AdCopy
from data.reads.campaign_statements import (
    campaign_params,
    campaign_sums_by,
    owned_by_campaign,
    rate_or_read,
)
from data.reads.queries import deployments, pm, row_columns
from data.reads.stats import two_proportion_p_value, wilson_interval
from data.scope import Scope

VARIANT_COLUMNS = [
    "ad_copy_id",
    "variant_label",
    "headline",
    *METRIC_COLUMNS,
    "ctr_low",
    "ctr_high",
    "cvr_low",
    "cvr_high",
    "cvr_p_value",
    "verdict",
]
SIGNIFICANCE = 0.05


def variant_comparison(
    session: Session,
    scope: Scope,
    campaign_id: int,
    rng: DateRange,
    rate: Decimal | None = None,
) -> pd.DataFrame:
    """Ad-copy variants side by side: metrics, 95 % Wilson intervals of CTR and CVR, and a verdict.

    The first variant (by label) is the control; each other variant's CVR is tested against it with a
    two-proportion z-test. Columns: VARIANT_COLUMNS.
    """
    rows = session.execute(
        _variants_statement(), campaign_params(scope, campaign_id, rng)
    ).all()
    frame = metrics_frame(
        row_columns(rows, ["ad_copy_id", "variant_label", "headline", *SUMMED_COLUMNS]),
        rate_or_read(session, scope, rate),
        VARIANT_COLUMNS[: 3 + len(METRIC_COLUMNS)],
    )
    ctr = [
        wilson_interval(c, i) or (np.nan, np.nan)
        for c, i in zip(frame["clicks"], frame["impressions"])
    ]
    cvr = [
        wilson_interval(v, c) or (np.nan, np.nan)
        for v, c in zip(frame["conversions"], frame["clicks"])
    ]
    frame["ctr_low"], frame["ctr_high"] = [x[0] for x in ctr], [x[1] for x in ctr]
    frame["cvr_low"], frame["cvr_high"] = [x[0] for x in cvr], [x[1] for x in cvr]
    p_values, verdicts = [], []
    for index, row in frame.iterrows():
        if index == frame.index[0]:
            p_values.append(np.nan)
            verdicts.append("control")
            continue
        control = frame.iloc[0]
        p = two_proportion_p_value(
            int(row["conversions"]),
            int(row["clicks"]),
            int(control["conversions"]),
            int(control["clicks"]),
        )
        p_values.append(np.nan if p is None else p)
        verdicts.append(_verdict(p, row["cvr"], control["cvr"]))
    frame["cvr_p_value"] = np.array(p_values, dtype="float64")
    frame["verdict"] = verdicts
    return frame[VARIANT_COLUMNS]


@functools.cache
def _variants_statement():
    copies = AdCopy.__table__
    sums = campaign_sums_by(
        deployments.c.ad_copy_id,
        pm.join(deployments, deployments.c.id == pm.c.platform_deployment_id),
    )
    return (
        sa.select(
            copies.c.id.label("ad_copy_id"),
            copies.c.variant_label,
            copies.c.headline,
            *[sa.func.coalesce(sums.c[k], 0).label(k) for k in SUMMED_COLUMNS],
        )
        .select_from(copies.outerjoin(sums, sums.c.ad_copy_id == copies.c.id))
        .where(*owned_by_campaign(copies))
        .order_by(copies.c.variant_label, copies.c.id)
    )


def _verdict(p_value: float | None, cvr: float, control_cvr: float) -> str:
    if p_value is None:
        return "not enough data"
    if p_value >= SIGNIFICANCE:
        return "no significant difference"
    return "better than control" if cvr > control_cvr else "worse than control"
