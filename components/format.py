"""Number formatting for people: currency, thousands separators, percentages, "—" for no value."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

NO_VALUE = "—"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _unsigned_zero(text: str) -> str:
    """ "0.00" for a value that rounds to zero: "-0.00×" reads as a loss that is not there."""
    return (
        text[1:]
        if text.startswith("-") and not any(c in "123456789" for c in text)
        else text
    )


def money(value, decimals: int = 2) -> str:
    if _missing(value):
        return NO_VALUE
    amount = Decimal(value) if not isinstance(value, Decimal) else value
    sign = "-" if amount < 0 else ""
    return _unsigned_zero(f"{sign}${abs(amount):,.{decimals}f}")


def integer(value) -> str:
    return NO_VALUE if _missing(value) else f"{int(value):,}"


def ratio(value, decimals: int = 2) -> str:
    """ROAS-style multiple, e.g. 2.35×."""
    return NO_VALUE if _missing(value) else _unsigned_zero(f"{value:,.{decimals}f}×")


def percent(value, decimals: int = 2) -> str:
    return (
        NO_VALUE if _missing(value) else _unsigned_zero(f"{100 * value:,.{decimals}f}%")
    )


# How each metric is shown, and whether a rise is good news.
METRIC_FORMATS = {
    "campaigns": (integer, None),
    "revenue": (money, True),
    "spend": (money, None),
    "profit": (money, True),
    "fee": (money, True),
    "conversions": (integer, True),
    "impressions": (integer, True),
    "clicks": (integer, True),
    "roas": (ratio, True),
    "roi": (percent, True),
    "cpa": (money, False),
    "cpc": (money, False),
    "cpm": (money, False),
    "ctr": (percent, True),
    "cvr": (percent, True),
    "budget_daily": (money, None),
    # The LTV page (data/ltv_definitions.py)
    "customers": (integer, True),
    "cac": (money, False),
    "ltv_per_customer": (money, True),
    "ltv_cac": (ratio, True),
}


def metric(name: str, value) -> str:
    formatter = METRIC_FORMATS.get(name, (str, None))[0]
    return formatter(value)


# People's CSV: each number as the screen shows it, unformatted. Money (and CPA, CPC, CPM) to
# the cent, ROAS to two decimals, CTR, CVR and ROI in percent to two decimals; half up, as an
# invoice rounds. Scripts' CSV (``names=machine``) keeps the exact values (fractions).
CENT = Decimal("0.01")
PERCENT_COLUMNS = ("ctr", "cvr", "roi", "ctr_low", "ctr_high", "cvr_low", "cvr_high")


def _exact(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(repr(value))


def to_cent(value) -> Decimal:
    """2.345 -> 2.35; a float by its shortest repr, so 0.1 + 0.2 is 0.30."""
    return _exact(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_percent(value) -> Decimal:
    """A fraction as percent to two decimals: 0.023456 -> 2.35."""
    return (_exact(value) * 100).quantize(CENT, rounding=ROUND_HALF_UP)


CSV_NUMBERS = {
    **{name: to_cent for name in ("spend", "revenue", "profit", "fee", "budget_daily")},
    **{name: to_cent for name in ("cpa", "cpc", "cpm", "roas")},
    **{
        name: to_cent for name in ("judged_spend", "cac", "ltv_per_customer", "ltv_cac")
    },
    **dict.fromkeys(PERCENT_COLUMNS, to_percent),
}
