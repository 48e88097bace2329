"""When a report subscription is due: the first slot after a moment, in the organization's zone.

Pure arithmetic on zoneinfo. A slot is a wall-clock time (hour:00) on the schedule's days in the
organization's zone, turned into an instant: a daily report at 09:00 in Europe/Berlin stays at
09:00 local across DST changes (07:00 or 08:00 UTC). An hour that does not exist on a day (the
spring-forward gap) is the first instant after the gap; an hour that happens twice (fall-back)
is its first occurrence (fold=0), so each slot is one instant.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LAST_DAY = -1  # month_day: the last day of the month (data.models.LAST_DAY)


@dataclass(frozen=True)
class Schedule:
    frequency: str  # daily, weekly, monthly
    hour: int  # 0-23, wall clock in ``time_zone``
    weekday: int | None = None  # weekly: 0 Monday … 6 Sunday
    month_day: int | None = None  # monthly: 1-28 or LAST_DAY


def zone(name: str | ZoneInfo | None) -> ZoneInfo:
    """The organization's zone; an unknown or empty name is UTC."""
    if isinstance(name, ZoneInfo):
        return name
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _on_day(day: dt.date, schedule: Schedule) -> bool:
    if schedule.frequency == "daily":
        return True
    if schedule.frequency == "weekly":
        return day.weekday() == schedule.weekday
    if schedule.frequency == "monthly":
        last = calendar.monthrange(day.year, day.month)[1]
        wanted = last if schedule.month_day == LAST_DAY else schedule.month_day
        return day.day == wanted
    raise ValueError(f"unknown frequency {schedule.frequency!r}")


def _instant(day: dt.date, hour: int, tz: ZoneInfo) -> dt.datetime:
    """``day`` at ``hour``:00 in ``tz`` as a UTC instant. fold=0 (PEP 495) takes the offset in
    force before a transition: a time in the spring-forward gap lands where the clock jumped to
    (02:00 -> 03:00 in Europe/Berlin), a repeated fall-back hour is its first occurrence."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=tz).astimezone(dt.UTC)


def next_due(
    schedule: Schedule, after: dt.datetime, time_zone: str | ZoneInfo | None
) -> dt.datetime:
    """The first slot strictly after ``after`` (an aware instant), as an aware UTC instant."""
    tz = zone(time_zone)
    day = after.astimezone(tz).date()
    # A monthly slot comes within 31 days; a year is plenty.
    for offset in range(370):
        candidate = day + dt.timedelta(days=offset)
        if _on_day(candidate, schedule):
            slot = _instant(candidate, schedule.hour, tz)
            if slot > after:
                return slot
    raise ValueError("no slot within a year")  # unreachable with a valid schedule


def local_today(now: dt.datetime, time_zone: str | ZoneInfo | None) -> dt.date:
    """The organization's calendar day at ``now`` (relative ranges end on it)."""
    return now.astimezone(zone(time_zone)).date()
