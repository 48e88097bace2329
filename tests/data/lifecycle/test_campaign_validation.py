"""Every validation rule refuses with the field it concerns, and nothing is written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from data.campaign_rules import InvalidField
from data.models import (
    AdCopy,
    AuditLog,
    CampaignDeployment,
    OrganizationSettings,
    OutboxEntry,
)
from data.writes import campaigns
from data.writes.transaction import write_transaction
from tests.data.lifecycle.conftest import campaign_body, count

V = {"headline": "Warm coats", "body": "Up to 40 % off."}
BAD = [
    ("name", {"name": ""}),
    ("name", {"name": "x" * 201}),
    ("name", {"name": "<b>Sale</b>"}),
    ("name", {"name": "Sale\x07"}),
    ("name", {"name": "Sale\nnow"}),
    ("objective", {"objective": "<script>"}),
    ("platforms", {"platforms": []}),
    ("platforms", {"platforms": ["myspace"]}),
    ("budget_type", {"budget_type": "weekly"}),
    ("budget_amount", {"budget_amount": "0"}),
    ("budget_amount", {"budget_amount": "-5"}),
    ("budget_amount", {"budget_amount": "10.001"}),
    ("budget_amount", {"budget_amount": "1e3"}),
    ("budget_amount", {"budget_amount": "NaN"}),
    ("budget_amount", {"budget_amount": None}),
    ("budget_amount", {"budget_amount": True}),
    ("budget_amount", {"budget_amount": "5000.01"}),  # over the org's maximum
    ("start_date", {"start_date": "11/10/2026"}),
    ("end_date", {"end_date": "2026-11-10"}),  # not after the start
    ("end_date", {"end_date": "2026-11-01"}),
    ("end_date", {"budget_type": "lifetime", "end_date": None}),
    ("variants", {"variants": []}),
    ("variants", {"variants": [V] * 11}),
    ("variants[0]", {"variants": ["just text"]}),
    ("variants[0].headline", {"variants": [{"body": "b"}]}),
    ("variants[0].body", {"variants": [{"headline": "h", "body": "<a href=x>x</a>"}]}),
    ("variants[1].call_to_action", {"variants": [V, {**V, "call_to_action": "x" * 65}]}),
    # per platform: Google headline 30, description 90; Meta headline 40, primary text 125
    ("variants[0].headline", {"platforms": ["google"], "variants": [{**V, "headline": "h" * 31}]}),
    ("variants[0].body", {"platforms": ["google"], "variants": [{**V, "body": "b" * 91}]}),
    ("variants[0].headline", {"platforms": ["meta"], "variants": [{**V, "headline": "h" * 41}]}),
    ("variants[0].body", {"platforms": ["meta"], "variants": [{**V, "body": "b" * 126}]}),
    ("variants[0].body", {"platforms": ["tiktok"], "variants": [{**V, "body": "b" * 101}]}),
]  # fmt: skip


@pytest.mark.parametrize(("field", "change"), BAD)
def test_bad_input_names_its_field_and_writes_nothing(session, org, field, change):
    session.get(OrganizationSettings, org["org_id"]).max_budget_amount = Decimal(5000)
    mine = CampaignDeployment.organization_id == org["org_id"]
    before = [
        count(session, CampaignDeployment, mine),
        count(session, AdCopy, AdCopy.organization_id == org["org_id"]),
        count(session, AuditLog, AuditLog.organization_id == org["org_id"]),
        count(session, OutboxEntry, OutboxEntry.organization_id == org["org_id"]),
    ]
    with pytest.raises(InvalidField) as error, write_transaction(session) as s:
        campaigns.create_campaign(s, org["analyst"], campaign_body(**change))
    assert error.value.field == field
    assert str(error.value)
    after = [
        count(session, CampaignDeployment, mine),
        count(session, AdCopy, AdCopy.organization_id == org["org_id"]),
        count(session, AuditLog, AuditLog.organization_id == org["org_id"]),
        count(session, OutboxEntry, OutboxEntry.organization_id == org["org_id"]),
    ]
    assert after == before


def test_names_are_unique_per_organization_case_insensitively(session, org):
    from tests.data.lifecycle.conftest import make_org

    with write_transaction(session) as s:
        campaigns.create_campaign(s, org["analyst"], campaign_body())
    with pytest.raises(InvalidField) as error, write_transaction(session) as s:
        campaigns.create_campaign(s, org["admin"], campaign_body(name="WINTER SALE"))
    assert error.value.field == "name"
    other = make_org(session, "other")
    with write_transaction(session) as s:
        campaigns.create_campaign(s, other["analyst"], campaign_body())


def test_limits_at_the_boundary_are_accepted(session, org):
    body = campaign_body(
        platforms=["google", "meta", "tiktok"],
        budget_amount="0.01",
        variants=[{"headline": "h" * 30, "body": "b" * 90}] * 10,
    )
    with write_transaction(session) as s:
        cid = campaigns.create_campaign(s, org["analyst"], body)
    assert count(session, AdCopy, AdCopy.campaign_id == cid) == 10


def test_a_lifetime_budget_is_spread_over_its_days(session, org):
    body = campaign_body(budget_type="lifetime", budget_amount="2100")
    with write_transaction(session) as s:
        cid = campaigns.create_campaign(s, org["analyst"], body)
    campaign = session.get(CampaignDeployment, cid)
    assert campaign.budget_daily == Decimal("100.00")  # 21 days
