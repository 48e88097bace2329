"""The fee rate has a history: a change applies from its date on, and past days keep their fee."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from data.errors import Invalid
from data.filters import CampaignFilters, parse_range
from data.models import FeeRate, Organization
from data.reads.campaign_list import campaign_list
from data.reads.overview import kpi_summary, platform_breakdown, revenue_trend
from data.scope import Scope
from data.writes.organizations import parse_fee_percent, set_fee_rate

# Golden acme, Mon 19 – Sun 25 Oct 2026, daily revenue 79.92, 221.20, 198.01 | 443.18,
# 190.30, 119.88, 219.14 at a 20 % rate. 30 % from Thu 22 Oct:
#   19–21 Oct: 499.13 x 0.20 =  99.826
#   22–25 Oct: 972.50 x 0.30 = 291.750
#   the week:                  391.576 (at one rate it was 1471.63 x 0.20 = 294.326)
WEEK = parse_range("2026-10-19", "2026-10-25")
SPLIT = Decimal("391.576")


@pytest.fixture
def acme(session, golden):
    org = golden["orgs"]["acme"]
    assert session.get(Organization, org).fee_rate == Decimal("0.2")
    set_fee_rate(
        session, Scope(org, "admin"), "30", effective_from=dt.date(2026, 10, 22)
    )
    return org


def test_a_change_in_the_middle_of_a_range_splits_the_fee(session, acme):
    viewer = Scope(acme, "viewer")
    kpis = kpi_summary.uncached(session, viewer, WEEK).set_index("period")
    assert kpis.loc["current", "fee"] == SPLIT
    assert kpis.loc["current", "revenue"] == Decimal("1471.63")
    # the week before the change is charged as it was
    assert kpis.loc["previous", "fee"] == kpis.loc["previous", "revenue"] * Decimal(
        "0.2"
    )
    daily = revenue_trend.uncached(session, viewer, WEEK, "day").set_index("bucket")
    assert daily.loc[dt.date(2026, 10, 21), "fee"] == Decimal("39.602")  # 198.01 x 0.20
    assert daily.loc[dt.date(2026, 10, 22), "fee"] == Decimal(
        "132.954"
    )  # 443.18 x 0.30
    weekly = revenue_trend.uncached(session, viewer, WEEK, "week")
    assert list(weekly["fee"]) == [SPLIT]


def test_every_view_of_the_range_charges_the_same_split_fee(session, acme):
    viewer = Scope(acme, "viewer")
    platforms = platform_breakdown.uncached(session, viewer, WEEK)
    assert sum(platforms["fee"]) == SPLIT
    frame, _ = campaign_list(
        session, viewer, WEEK, CampaignFilters(), page=0, page_size=100
    )
    assert sum(frame["fee"]) == SPLIT


def test_a_change_from_today_keeps_every_past_fee(session, golden):
    org = golden["orgs"]["acme"]
    viewer = Scope(org, "viewer")
    before = kpi_summary.uncached(session, viewer, WEEK).set_index("period")
    set_fee_rate(session, Scope(org, "admin"), "50")
    after = kpi_summary.uncached(session, viewer, WEEK).set_index("period")
    assert after.loc["current", "fee"] == before.loc["current", "fee"]
    assert session.get(Organization, org).fee_rate == Decimal("0.5")
    rows = session.query(FeeRate).filter_by(organization_id=org).all()
    assert sorted((r.effective_from, r.rate) for r in rows) == [
        (dt.date(1900, 1, 1), Decimal("0.2")),
        (dt.date.today(), Decimal("0.5")),
    ]


@pytest.mark.parametrize("text", ["20,5", "20.5", " 20,50 % "])
def test_a_decimal_comma_is_read_like_a_decimal_point(text):
    assert parse_fee_percent(text) == Decimal("20.50")


@pytest.mark.parametrize("text", ["20,5,1", "1,000", "20,5.1"])
def test_ambiguous_commas_are_refused(text):
    with pytest.raises(Invalid):
        parse_fee_percent(text)
