"""The campaign list's page read: one statement for the rows, the count, the platforms and the
fee rate, and the same answer on every page (including one past the end)."""

from __future__ import annotations

import sqlalchemy as sa

from data.filters import CampaignFilters, parse_range
from data.models import PLATFORMS
from data.reads.campaign_list import campaign_list
from data.scope import Scope
from tests.data.reads.test_golden import CASES
from tests.statements import statements_sent


def _scope_and_range(golden):
    case = CASES[0]
    scope = Scope(golden["orgs"][case["organization_slug"]], "viewer")
    return scope, parse_range(case["start"], case["end"]), case


def _read(session, scope, rng, **kwargs):
    return campaign_list.uncached(session, scope, rng, CampaignFilters(), **kwargs)


def test_a_page_is_one_statement(session, golden):
    scope, rng, _case = _scope_and_range(golden)
    with statements_sent(session.get_bind()) as statements:
        frame, _total = _read(session, scope, rng, page=0, page_size=2)
    assert len(frame) == 2
    assert len(statements) == 1


def test_each_page_counts_every_matching_campaign(session, golden):
    scope, rng, case = _scope_and_range(golden)
    matching = len(case["by_campaign"])
    assert matching >= 2
    for page in range(matching + 2):  # the last two pages are past the end
        frame, total = _read(session, scope, rng, page=page, page_size=1)
        assert total == matching, f"page {page}"
        assert len(frame) == (1 if page < matching else 0), f"page {page}"


def test_pages_join_into_the_whole_list(session, golden):
    scope, rng, case = _scope_and_range(golden)
    whole, _ = _read(session, scope, rng, page=0, page_size=100)
    pages = [
        _read(session, scope, rng, page=page, page_size=1)[0]
        for page in range(len(case["by_campaign"]))
    ]
    joined = [int(frame["campaign_id"].iloc[0]) for frame in pages]
    assert joined == [int(i) for i in whole["campaign_id"]]
    names = [frame["name"].iloc[0] for frame in pages]
    assert names == list(whole["name"])


def test_platforms_are_each_campaigns_deployments_in_platform_order(session, golden):
    scope, rng, _case = _scope_and_range(golden)
    frame, _ = _read(session, scope, rng, page=0, page_size=100)
    rows = session.execute(
        sa.text(
            "SELECT campaign_id, platform FROM platformdeployments "
            "WHERE organization_id = :o"
        ),
        {"o": scope.organization_id},
    ).all()
    deployed: dict[int, set[str]] = {}
    for campaign_id, platform in rows:
        deployed.setdefault(int(campaign_id), set()).add(platform)
    assert any(len(names) > 1 for names in deployed.values())
    for campaign_id, label in zip(
        frame["campaign_id"], frame["platforms"], strict=True
    ):
        expected = [p for p in PLATFORMS if p in deployed.get(int(campaign_id), ())]
        assert label == ", ".join(expected), f"campaign {campaign_id}"
