"""What each alert condition means, on sums already read: pure functions, no database.

Days are the organization's calendar days in its time zone (``local_today``). Conditions over
a window use the last N *complete* days — yesterday and the N-1 days before it, never today:
ad platforms report a day in pieces, so a partial today would make ROAS, CPA and "no
conversions" swing within the day and fire on incomplete numbers. Today counts only where the
condition is about today: a daily budget's pacing (today's spend) and a lifetime budget's spend
to date.

Each condition finds a value and compares it with the rule's threshold:

- roas_below: revenue / spend over the window; breached when value < threshold.
- cpa_above: spend / conversions over the window; breached when value > threshold.
- pacing_above: spend as a % of its allowance; breached when value > threshold. A daily budget's
  allowance is the daily amount (against today's spend); a lifetime budget's is the amount
  pro-rated by the campaign's elapsed days, start date to today inclusive, over its length
  (start to end inclusive), against spend from the start date through today. An organization or
  platform target sums its campaigns' spends and allowances.
- zero_conversions: no conversion over the window while spend > min_spend (None: 0); the value
  is the window's spend (what was spent without a conversion). The threshold is not used.
- revenue_drop: how far yesterday's revenue is below the day before's, in % of the day before's;
  breached when value > threshold (a rise is a negative drop).

"No value" is its own finding, never a breach and never a 0: a zero denominator (no spend, no
conversion, no allowance, no revenue the day before) gives ``Finding(value=None, breached=False,
message="no value: …")``. The evaluation treats it as "not breached" (a pending breach ends, a
firing episode resolves) and shows the rule ok/resolved with that message and no value.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

ZERO = Decimal(0)
HUNDRED = Decimal(100)
WINDOW_CONDITIONS = ("roas_below", "cpa_above", "zero_conversions")
FINE = Decimal("0.0001")
# How a condition's value (and threshold) reads, as the screen shows the metric: ROAS as a
# multiple, money to the cent, percentages to one decimal; rounded half up.
UNITS = {
    "roas_below": ("{}×", Decimal("0.01")),
    "cpa_above": ("${}", Decimal("0.01")),
    "zero_conversions": ("${}", Decimal("0.01")),
    "revenue_drop": ("{} %", Decimal("0.1")),
    "pacing_above": ("{} %", Decimal("0.1")),
}


def shown(condition: str, value, step: Decimal | None = None) -> str:
    """``value`` of ``condition`` for people: "1.42×", "$1,234.50", "37.5 %"; "—" for none.
    ``step``: a finer rounding than the screen's."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    pattern, screen_step = UNITS.get(condition, ("{}", FINE))
    step = step or screen_step
    number = Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP)
    return pattern.format(f"{number:,}" if number else f"{abs(number):,}")


@dataclass(frozen=True)
class Sums:
    """Totals over a period."""

    spend: Decimal = ZERO
    revenue: Decimal = ZERO
    conversions: int = 0


@dataclass(frozen=True)
class Budget:
    """One campaign's budget and spend, for pacing."""

    budget_type: str  # "daily" or "lifetime"
    amount: Decimal
    start_date: dt.date | None
    end_date: dt.date | None
    spend_today: Decimal
    spend_to_date: Decimal  # from start_date (or the first row) through today


@dataclass(frozen=True)
class Finding:
    """What one evaluation found: the value (None: no value), whether it breaches, and why."""

    value: Decimal | None
    breached: bool
    message: str


def local_today(now: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The organization's calendar day at the instant ``now`` (an aware datetime)."""
    return now.astimezone(zone).date()


def window(today: dt.date, days: int) -> tuple[dt.date, dt.date]:
    """The last ``days`` complete days before ``today``: (first, last), inclusive."""
    days = max(int(days), 1)
    return today - dt.timedelta(days=days), today - dt.timedelta(days=1)


def periods(condition: str, today: dt.date, window_days: int) -> dict:
    """The date ranges (first, last inclusive) whose sums ``judge`` needs, by name."""
    if condition in WINDOW_CONDITIONS:
        return {"window": window(today, window_days)}
    if condition == "revenue_drop":
        yesterday = today - dt.timedelta(days=1)
        before = today - dt.timedelta(days=2)
        return {"yesterday": (yesterday, yesterday), "day_before": (before, before)}
    return {}


def allowance(budget: Budget, today: dt.date) -> tuple[Decimal, Decimal]:
    """(spend, allowance) of one campaign today: see the module's pacing_above."""
    if budget.budget_type == "daily":
        return budget.spend_today, budget.amount
    start, end = budget.start_date, budget.end_date
    if start is None or end is None or end < start or today < start:
        return budget.spend_to_date, ZERO
    length = (end - start).days + 1
    elapsed = min((today - start).days + 1, length)
    return budget.spend_to_date, budget.amount * elapsed / length


def judge(
    condition: str,
    threshold: Decimal,
    *,
    sums: dict[str, Sums] | None = None,
    budgets: list[Budget] | None = None,
    today: dt.date | None = None,
    min_spend: Decimal | None = None,
) -> Finding:
    """Apply ``condition`` to the sums of ``periods`` (or, for pacing, to ``budgets``)."""
    threshold = Decimal(threshold)
    sums = sums or {}
    if condition == "roas_below":
        s = sums["window"]
        if s.spend == 0:
            return Finding(None, False, "no value: no spend in the window")
        value = Decimal(s.revenue) / Decimal(s.spend)
        return _compare(condition, value, value < threshold, "ROAS {} {} {}", threshold)
    if condition == "cpa_above":
        s = sums["window"]
        if s.conversions == 0:
            return Finding(None, False, "no value: no conversions in the window")
        value = Decimal(s.spend) / Decimal(s.conversions)
        return _compare(condition, value, value > threshold, "CPA {} {} {}", threshold)
    if condition == "zero_conversions":
        s = sums["window"]
        floor = ZERO if min_spend is None else Decimal(min_spend)
        spend = Decimal(s.spend)
        if s.conversions:
            return Finding(spend, False, f"{s.conversions:,} conversions in the window")
        breached = spend > floor
        word = "above" if breached else "not above"
        message = f"No conversions; spend {shown(condition, spend)} {word} "
        return Finding(spend, breached, message + shown(condition, floor))
    if condition == "revenue_drop":
        before, after = sums["day_before"].revenue, sums["yesterday"].revenue
        if before == 0:
            return Finding(None, False, "no value: no revenue the day before yesterday")
        value = (Decimal(before) - Decimal(after)) / Decimal(before) * HUNDRED
        text = "Revenue fell {} day over day, {} {}"
        return _compare(condition, value, value > threshold, text, threshold)
    if condition == "pacing_above":
        if today is None:
            raise ValueError("pacing needs today's date")
        pairs = [allowance(budget, today) for budget in budgets or []]
        spent = sum((spend for spend, _ in pairs), ZERO)
        allowed = sum((allowed for _, allowed in pairs), ZERO)
        if allowed == 0:
            return Finding(None, False, "no value: no budget to pace against today")
        value = Decimal(spent) / allowed * HUNDRED
        text = "Spend at {} of budget, {} {}"
        return _compare(condition, value, value > threshold, text, threshold)
    raise ValueError(f"unknown condition {condition!r}")


def _compare(
    condition: str, value: Decimal, breached: bool, text: str, threshold: Decimal
) -> Finding:
    """``text`` filled with the value, "below"/"not below" (the text's side) and the threshold."""
    side = "below" if condition == "roas_below" else "above"
    verb = side if breached else f"not {side}"
    value_text, threshold_text = shown(condition, value), shown(condition, threshold)
    if (
        value_text == threshold_text and value != threshold
    ):  # 1.9999 is not "2.00 below 2.00"
        value_text = shown(condition, value, FINE)
    message = text.format(value_text, verb, threshold_text)
    return Finding(value, breached, message)
