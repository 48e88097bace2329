"""Date axes that show days, never times of day, and the partial weeks at a range's ends."""

from __future__ import annotations

import datetime as dt

# Below this many buckets plotly's automatic ticks fall between days ("23:59:59.9996"), so
# the ticks are put on the buckets themselves.
FEW_BUCKETS = 10
DAY_MS = 86_400_000
PARTIAL_OPACITY, WHOLE_OPACITY = 0.3, 0.75


def _day(d: dt.date) -> str:
    return f"{d:%b} {d.day}"


def date_axis(days: list[dt.date], step_days: int = 1) -> dict:
    """xaxis settings for buckets of ``step_days`` starting on ``days``: a date axis with
    ticks on the buckets when there are few, and room either side of a single one."""
    axis: dict = {"type": "date", "tickformat": "%b %-d"}
    if days and len(days) <= FEW_BUCKETS:
        axis.update(
            tickmode="array",
            tickvals=[d.isoformat() for d in days],
            ticktext=[f"{_day(d)}, {d.year}" for d in days],
        )
    if len(days) == 1:
        pad = dt.timedelta(days=step_days)
        axis["range"] = [(days[0] - pad).isoformat(), (days[0] + pad).isoformat()]
    return axis


def bar_width_ms(step_days: int) -> float:
    """A bar 80 % as wide as its bucket, so one bar alone is not a hairline."""
    return 0.8 * step_days * DAY_MS


def week_coverage(bucket: dt.date, start: dt.date, end: dt.date) -> str:
    """'Whole week', or which days of the Monday-start week holding ``bucket`` (its Monday, or
    the range's first day when clipped) lie inside start..end."""
    monday = bucket - dt.timedelta(days=bucket.weekday())
    first = max(monday, start)
    last = min(monday + dt.timedelta(days=6), end)
    covered = (last - first).days + 1
    if covered >= 7:
        return "Whole week"
    days = _day(first) if first == last else f"{_day(first)}–{_day(last)}"
    return f"Partial week: {covered} of 7 days ({days})"


def partial_week_note(coverage: list[str]) -> str | None:
    """The note under a weekly chart whose first or last week lies partly outside the range."""
    partial = sum(c != "Whole week" for c in coverage)
    if not partial:
        return None
    return (
        f"{partial} of {len(coverage)} weeks are partial (open markers, lighter bars): "
        "the range covers only some of their days, so their totals are smaller."
    )
