"""Due-time arithmetic (data/reports/schedule.py): daily, weekly and monthly slots in the
organization's zone, month ends, and both DST changes, checked against hand-worked instants."""

from __future__ import annotations

import datetime as dt

import pytest

from data.reports.schedule import LAST_DAY, Schedule, local_today, next_due

UTC = dt.UTC


def at(*parts) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=UTC)


def test_daily_is_today_when_the_hour_is_still_ahead_else_tomorrow():
    daily = Schedule("daily", 9)
    assert next_due(daily, at(2026, 3, 10, 8, 59), "UTC") == at(2026, 3, 10, 9)
    assert next_due(daily, at(2026, 3, 10, 9, 0), "UTC") == at(
        2026, 3, 11, 9
    )  # strictly after


def test_daily_follows_the_wall_clock_of_the_zone_across_dst():
    daily = Schedule("daily", 9)
    berlin = "Europe/Berlin"
    # Winter: UTC+1; summer: UTC+2. 09:00 local each day.
    assert next_due(daily, at(2026, 3, 28, 12), berlin) == at(2026, 3, 29, 7)
    assert next_due(daily, at(2026, 3, 27, 12), berlin) == at(2026, 3, 28, 8)
    assert next_due(daily, at(2026, 10, 24, 12), berlin) == at(2026, 10, 25, 8)


def test_an_hour_in_the_spring_forward_gap_is_where_the_clock_lands():
    # Europe/Berlin, 2026-03-29: 02:00 jumps to 03:00 (01:00 UTC).
    slot = next_due(Schedule("daily", 2), at(2026, 3, 28, 12), "Europe/Berlin")
    assert slot == at(2026, 3, 29, 1)
    # New York, 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00 UTC).
    slot = next_due(Schedule("daily", 2), at(2026, 3, 7, 12), "America/New_York")
    assert slot == at(2026, 3, 8, 7)


def test_a_repeated_fall_back_hour_is_its_first_occurrence_once():
    # Europe/Berlin, 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice.
    daily = Schedule("daily", 2)
    first = next_due(daily, at(2026, 10, 24, 12), "Europe/Berlin")
    assert first == at(2026, 10, 25, 0)  # 02:00 CEST
    # From the first occurrence, the next slot is the next day, not the same hour again.
    assert next_due(daily, first, "Europe/Berlin") == at(2026, 10, 26, 1)


def test_weekly_on_a_weekday():
    monday = Schedule("weekly", 8, weekday=0)
    # 2026-12-07 is a Monday.
    assert next_due(monday, at(2026, 12, 7, 7), "UTC") == at(2026, 12, 7, 8)
    assert next_due(monday, at(2026, 12, 7, 8), "UTC") == at(2026, 12, 14, 8)
    sunday = Schedule("weekly", 23, weekday=6)
    assert next_due(sunday, at(2026, 12, 7, 0), "UTC") == at(2026, 12, 13, 23)


def test_weekly_uses_the_organizations_day_not_utcs():
    # Monday 06:00 in Tokyo is Sunday 21:00 UTC.
    monday = Schedule("weekly", 6, weekday=0)
    assert next_due(monday, at(2026, 12, 6, 12), "Asia/Tokyo") == at(2026, 12, 6, 21)


def test_monthly_on_a_day_and_on_the_last_day():
    first = Schedule("monthly", 6, month_day=1)
    assert next_due(first, at(2026, 1, 15), "UTC") == at(2026, 2, 1, 6)
    last = Schedule("monthly", 6, month_day=LAST_DAY)
    assert next_due(last, at(2026, 1, 31, 7), "UTC") == at(2026, 2, 28, 6)
    assert next_due(last, at(2028, 2, 1), "UTC") == at(2028, 2, 29, 6)  # leap year
    assert next_due(last, at(2026, 4, 1), "UTC") == at(2026, 4, 30, 6)
    assert next_due(last, at(2026, 12, 31, 6), "UTC") == at(2027, 1, 31, 6)
    day28 = Schedule("monthly", 0, month_day=28)
    assert next_due(day28, at(2026, 2, 28, 0), "UTC") == at(2026, 3, 28, 0)


def test_the_next_slot_is_always_after_the_moment_whatever_how_late():
    daily = Schedule("daily", 9)
    long_ago = at(2000, 1, 1)
    now = at(2026, 12, 7, 23, 30)
    assert next_due(daily, max(now, long_ago), "UTC") == at(2026, 12, 8, 9)


@pytest.mark.parametrize("name", ["", None, "Not/AZone"])
def test_an_unknown_zone_is_utc(name):
    assert next_due(Schedule("daily", 9), at(2026, 3, 10), name) == at(2026, 3, 10, 9)


def test_local_today_is_the_organizations_calendar_day():
    assert local_today(at(2026, 12, 7, 23, 30), "Asia/Tokyo") == dt.date(2026, 12, 8)
    assert local_today(at(2026, 12, 7, 3), "America/Los_Angeles") == dt.date(
        2026, 12, 6
    )
