"""The LTV page's builders: the heatmap's tiles read back as a table and a sentence, payback in
words, and young cohorts marked in words."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd

from components.chart_text import figure_summary, figure_table
from components.ltv import payback_text
from components.ltv_figures import cohort_heatmap_figure, payback_curves_figure

JUN, JUL = dt.date(2026, 6, 1), dt.date(2026, 7, 1)


def _heat() -> pd.DataFrame:
    rows = [(JUN, 0, 10.0, False), (JUN, 1, 18.5, False), (JUL, 0, 30.0, True)]
    return pd.DataFrame(
        [
            {"key": m, "label": "", "months_since": k, "cumulative_value_per_customer": v,
             "cac": 20.0, "too_young": young}
            for m, k, v, young in rows
        ]
    )  # fmt: skip


def test_the_heatmap_reads_as_a_table_with_young_rows_named():
    figure = cohort_heatmap_figure(_heat(), "dark")
    table = json.dumps(figure_table(figure).to_plotly_json(), default=str)
    assert "Jun 2026" in table and "Jul 2026 (too young)" in table
    assert "$18.50" in table and "$30.00" in table
    assert figure_summary(figure).startswith("2 monthly cohorts; the oldest (Jun 2026)")


def test_payback_in_words():
    assert payback_text(math.nan, math.nan) == "—"  # no CAC
    assert payback_text(math.nan, 12.0) == "not yet"
    assert [payback_text(k, 1.0) for k in (0.0, 1.0, 4.0)] == [
        "same month",
        "1 month",
        "4 months",
    ]


def test_payback_curves_pair_each_value_line_with_its_cac():
    frame = _heat().assign(key=[1, 1, 2], label=["Alpha", "Alpha", "Beta"])
    figure = payback_curves_figure(frame)
    assert [t["name"] for t in figure["data"]] == [
        "Alpha",
        "Alpha: CAC",
        "Beta",
        "Beta: CAC",
    ]
    assert "1 of 2 campaigns shown have paid back" in figure_summary(figure)
