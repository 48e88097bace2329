"""The overview's reads: top_campaigns ranks exactly like the campaign list, and each overview
read reaches the database in one statement."""

from __future__ import annotations

from decimal import Decimal

import pytest

from data.filters import CampaignFilters, parse_range
from data.reads.campaign_list import campaign_list
from data.reads.overview import (
    TOP_CAMPAIGN_COLUMNS,
    kpi_summary,
    platform_breakdown,
    revenue_trend,
    top_campaigns,
)
from data.scope import Scope
from tests.data.reads.test_golden import CASES, _case_id, assert_figures
from tests.statements import statements_sent


def _active(figures: dict) -> bool:
    return Decimal(figures["spend"]) != 0 or Decimal(figures["revenue"]) != 0


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_top_campaigns_match_golden(session, golden, case):
    scope = Scope(golden["orgs"][case["organization_slug"]], "viewer")
    frame = top_campaigns(session, scope, parse_range(case["start"], case["end"]))
    assert list(frame.columns) == TOP_CAMPAIGN_COLUMNS
    db_id = golden["campaigns"]
    # Most revenue first, the newer campaign first on a tie; only campaigns with activity.
    expected = sorted(
        (gid for gid, figures in case["by_campaign"].items() if _active(figures)),
        key=lambda gid: (Decimal(case["by_campaign"][gid]["revenue"]), db_id[gid]),
        reverse=True,
    )[:5]
    assert [int(i) for i in frame["campaign_id"]] == [db_id[g] for g in expected]
    for gid, (_, row) in zip(expected, frame.iterrows(), strict=True):
        assert_figures(row, case["by_campaign"][gid], f"campaign {gid}")


@pytest.mark.parametrize(
    "platforms", [(), ("google",), ("meta", "tiktok")], ids=["all", "google", "two"]
)
@pytest.mark.parametrize("limit", [1, 2, 5])
def test_top_campaigns_are_the_campaign_lists_first_active_rows(
    session, golden, platforms, limit
):
    """The same rows, order and figures as the campaigns list sorted by revenue."""
    for slug in ("acme", "globex"):
        scope = Scope(golden["orgs"][slug], "viewer")
        for case in CASES:
            rng = parse_range(case["start"], case["end"])
            listed, _ = campaign_list(
                session, scope, rng, CampaignFilters(platforms=platforms), page_size=100
            )
            active = listed[listed["spend"].map(bool) | listed["revenue"].map(bool)]
            want = active[TOP_CAMPAIGN_COLUMNS].head(limit).reset_index(drop=True)
            got = top_campaigns(session, scope, rng, platforms, limit)
            assert list(got.columns) == TOP_CAMPAIGN_COLUMNS
            same = got.empty if want.empty else got.equals(want)
            assert same, f"{slug} {rng} {platforms}:\n{got}\n!=\n{want}"


def test_top_campaigns_of_a_quiet_period_is_empty_with_its_columns(session, golden):
    scope = Scope(golden["orgs"]["acme"], "viewer")
    frame = top_campaigns(session, scope, parse_range("2026-11-02", "2026-11-08"))
    assert frame.empty and list(frame.columns) == TOP_CAMPAIGN_COLUMNS


def test_top_campaigns_never_shows_another_organizations_campaign(session, golden):
    rng = parse_range("2026-10-05", "2026-11-01")
    acme_ids = {golden["campaigns"][i] for i in ("1", "2", "3", "4")}
    theirs = top_campaigns(session, Scope(golden["orgs"]["globex"], "admin"), rng)
    assert not theirs.empty
    assert acme_ids.isdisjoint(int(i) for i in theirs["campaign_id"])


@pytest.mark.parametrize(
    "read",
    [
        lambda s, scope, rng: kpi_summary.uncached(s, scope, rng, ("google",)),
        lambda s, scope, rng: revenue_trend.uncached(s, scope, rng, "week"),
        lambda s, scope, rng: platform_breakdown.uncached(s, scope, rng),
        lambda s, scope, rng: top_campaigns.uncached(s, scope, rng, ("meta",)),
    ],
    ids=["kpis", "trend", "platforms", "top"],
)
def test_each_overview_read_is_one_statement(session, golden, read):
    """The fee rate and campaign counts travel with the sums: one round trip per read."""
    with statements_sent(session.get_bind()) as statements:
        read(
            session,
            Scope(golden["orgs"]["acme"], "viewer"),
            parse_range("2026-10-05", "2026-11-01"),
        )
    assert len(statements) == 1
