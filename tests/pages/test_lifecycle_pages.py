"""The lifecycle pages through their callbacks: the campaign form (every rule refused beside its
field, nothing written), submit, the approval decision, and the bell's count."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.db import make_engine
from data.models import (
    AdCopy,
    AuditLog,
    BudgetRequest,
    CampaignDeployment,
    Notification,
)
from tests.apps import call_callback, make_app, signed_in

FORM = "campaign-form"
TODAY = "2026-11-01"  # tests.factories.app_config pins KIKI_TODAY
APPROVE = ["approvals-approve.n_clicks"]


@pytest.fixture(scope="module")
def app(ops_world):
    return make_app(ops_world[0])


@pytest.fixture(scope="module")
def url(ops_world):
    return ops_world[0]


def counts(url: str) -> dict:
    engine = make_engine(url)
    with Session(engine) as session:
        found = {
            model.__tablename__: session.scalar(
                sa.select(sa.func.count()).select_from(model)
            )
            for model in (
                CampaignDeployment,
                AdCopy,
                AuditLog,
                BudgetRequest,
                Notification,
            )
        }
    engine.dispose()
    return found


def form(**changes) -> dict:
    values = {
        f"{FORM}-name.value": "Winter sale",
        f"{FORM}-objective.value": "Sales",
        f"{FORM}-platforms.value": ["meta", "google"],
        f"{FORM}-budget_type.value": "daily",
        f"{FORM}-budget_amount.value": "250.00",
        f"{FORM}-start_date.value": "2026-11-10",
        f"{FORM}-end_date.value": "2026-11-30",
        f"{FORM}-image_prompts.value": "A snowy shop window\nGifts on a table",
        f"{FORM}-video_prompts.value": "",
        f"{FORM}-v0-headline.value": "Winter sale: 30% off",
        f"{FORM}-v0-body.value": "Everything warm, now cheaper.",
        f"{FORM}-v0-call_to_action.value": "Shop now",
        f"{FORM}-v1-headline.value": "Warm up for less",
        f"{FORM}-v1-body.value": "Coats and boots at winter prices.",
        f"{FORM}-variant-count.data": 2,
        f"{FORM}-save.n_clicks": 1,
        f"{FORM}-submit.n_clicks": None,
    }
    for key, value in changes.items():
        values[f"{FORM}-{key}"] = value
    return values


def save(app, client, values):
    clicked = "submit" if values.get(f"{FORM}-submit.n_clicks") else "save"
    response = call_callback(
        app, client, f"{FORM}-name-message", values, [f"{FORM}-{clicked}.n_clicks"]
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.json["response"]


def test_an_analyst_saves_a_draft_with_two_variants_and_goes_to_it(app, url):
    client = signed_in(app, "acme", "analyst")
    before = counts(url)
    answer = save(app, client, form(**{"name.value": "Winter sale one"}))
    href = answer[f"{FORM}-go"]["href"]
    assert href.startswith("/campaigns/")
    campaign_id = int(href.rsplit("/", 1)[1])
    after = counts(url)
    assert after["campaign_deployments"] == before["campaign_deployments"] + 1
    assert after["ad_copies"] == before["ad_copies"] + 2
    assert after["budget_requests"] == before["budget_requests"]
    engine = make_engine(url)
    with Session(engine) as session:
        campaign = session.get(CampaignDeployment, campaign_id)
        assert (campaign.status, campaign.platforms) == ("draft", "google,meta")
        assert str(campaign.budget_amount) == "250.00"
        actions = session.scalars(
            sa.select(AuditLog.action).where(AuditLog.target_id == str(campaign_id))
        ).all()
    engine.dispose()
    assert actions == ["campaign_created"]


REFUSALS = [
    ("name", {"name.value": ""}, "This field is required."),
    ("name", {"name.value": "<b>Sale</b>"}, "HTML is not allowed here."),
    ("budget_amount", {"budget_amount.value": "12.345"}, "at most two decimals"),
    ("budget_amount", {"budget_amount.value": "0"}, "more than zero"),
    ("budget_amount", {"budget_amount.value": "1e3"}, "at most two decimals"),
    ("budget_amount", {"budget_amount.value": "NaN"}, "at most two decimals"),
    ("end_date", {"end_date.value": "2026-11-05"}, "The end must be after the start."),
    ("start_date", {"start_date.value": "tomorrow"}, "YYYY-MM-DD"),
    ("platforms", {"platforms.value": []}, "Choose at least one platform."),
    ("v0-headline", {"v0-headline.value": "A" * 31}, "Google allows 30 characters."),
    ("v1-body", {"v1-body.value": "x" * 91}, "Google allows 90 characters."),
    (
        "v1-body",
        {"platforms.value": ["meta"], "v1-body.value": "x" * 126},
        "Meta allows 125 characters.",
    ),
    ("v0-body", {"v0-body.value": "Buy &amp; save"}, "HTML is not allowed here."),
    ("v0-call_to_action", {"v0-call_to_action.value": "Go\x07"}, "control characters"),
    (
        "image_prompts",
        {"image_prompts.value": "\n".join("p" * 5 for _ in range(6))},
        "At most 5",
    ),
]


@pytest.mark.parametrize(("key", "changes", "message"), REFUSALS)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_written(
    app, url, key, changes, message
):
    client = signed_in(app, "acme", "analyst")
    before = counts(url)
    answer = save(app, client, form(**changes))
    assert message in (answer[f"{FORM}-{key}-message"]["children"] or "")
    notice = str(answer[f"{FORM}-notice"]["children"])
    assert "Nothing was saved." in notice
    assert f"{FORM}-go" not in answer  # no navigation
    assert counts(url) == before


def test_a_name_already_used_in_the_organization_is_refused(app, url):
    client = signed_in(app, "acme", "analyst")
    save(app, client, form(**{"name.value": "Spring sale"}))
    before = counts(url)
    answer = save(app, client, form(**{"name.value": "SPRING SALE"}))
    assert (
        answer[f"{FORM}-name-message"]["children"]
        == "Another campaign already has this name."
    )
    assert counts(url) == before


def test_no_start_in_the_past_for_a_submission(app, url):
    client = signed_in(app, "acme", "analyst")
    before = counts(url)
    values = form(
        **{
            "name.value": "Too late",
            "start_date.value": "2026-10-01",
            "save.n_clicks": None,
            "submit.n_clicks": 1,
        }
    )
    answer = save(app, client, values)
    assert (
        answer[f"{FORM}-start_date-message"]["children"]
        == "The start date is in the past."
    )
    assert counts(url) == before  # the draft is not kept either: one transaction


def test_a_viewer_cannot_save_the_form(app, url):
    client = signed_in(app, "acme", "viewer")
    before = counts(url)
    response = call_callback(app, client, f"{FORM}-name-message", form())
    assert response.status_code == 403
    assert counts(url) == before


def _bell(app, client) -> str:
    response = call_callback(
        app, client, "shell-bell", {"_pages_location.pathname": "/"}
    )
    assert response.status_code == 200
    badge = response.json["response"]["shell-bell"]["children"]
    return str(badge)


def test_submit_then_approve_a_lower_amount_with_a_reason(app, url):
    analyst = signed_in(app, "acme", "analyst")
    admin = signed_in(app, "acme", "admin")
    assert "Notifications, 0 unread" in _bell(app, admin)
    values = form(
        **{"name.value": "Approve me", "save.n_clicks": None, "submit.n_clicks": 1}
    )
    href = save(app, analyst, values)[f"{FORM}-go"]["href"]
    campaign_id = int(href.rsplit("/", 1)[1])
    assert "Notifications, 1 unread" in _bell(app, admin)

    engine = make_engine(url)
    with Session(engine) as session:
        request_id = session.scalar(
            sa.select(BudgetRequest.id).where(BudgetRequest.campaign_id == campaign_id)
        )
    decide = {
        "approvals-approve.n_clicks": 1,
        "approvals-reject.n_clicks": None,
        "approvals-selected.data": request_id,
        "approvals-amount.value": "200.00",
        "approvals-reason.value": "",
        "approvals-changed.data": 0,
    }
    answer = call_callback(app, admin, "approvals-notice", decide, APPROVE).json[
        "response"
    ]
    assert "Say why you approve a lower amount." in str(answer["approvals-notice"])
    decide["approvals-reason.value"] = "Q4 budget is tight"
    answer = call_callback(app, admin, "approvals-notice", decide, APPROVE).json[
        "response"
    ]
    assert "Request approved at 200.00 USD" in str(answer["approvals-notice"])
    with Session(engine) as session:
        request = session.get(BudgetRequest, request_id)
        campaign = session.get(CampaignDeployment, campaign_id)
        assert (request.status, str(request.approved_amount)) == ("approved", "200.00")
        assert request.decision_reason == "Q4 budget is tight"
        assert (campaign.status, str(campaign.budget_amount)) == ("approved", "200.00")
    engine.dispose()
    assert "Notifications, 1 unread" in _bell(app, analyst)
    # Deciding again: the request is no longer pending.
    answer = call_callback(app, admin, "approvals-notice", decide, APPROVE).json[
        "response"
    ]
    assert "already approved by" in str(answer["approvals-notice"])


def test_an_analyst_cannot_decide(app, url):
    analyst = signed_in(app, "acme", "analyst")
    values = form(
        **{
            "name.value": "Not mine to decide",
            "save.n_clicks": None,
            "submit.n_clicks": 1,
        }
    )
    href = save(app, analyst, values)[f"{FORM}-go"]["href"]
    engine = make_engine(url)
    with Session(engine) as session:
        request_id = session.scalar(
            sa.select(BudgetRequest.id).where(
                BudgetRequest.campaign_id == int(href.rsplit("/", 1)[1])
            )
        )
    engine.dispose()
    decide = {
        "approvals-approve.n_clicks": 1,
        "approvals-selected.data": request_id,
        "approvals-amount.value": "",
        "approvals-reason.value": "",
    }
    answer = call_callback(app, analyst, "approvals-notice", decide, APPROVE).json[
        "response"
    ]
    assert "Only admins can do this." in str(answer["approvals-notice"])


def _list_rows(app, client, search: str) -> list[dict]:
    values = {
        "campaigns-dates.start_date": "2026-10-05",
        "campaigns-dates.end_date": "2026-11-01",
        "campaigns-search.value": search,
        "campaigns-status.value": [],
        "campaigns-platforms.value": [],
        "campaigns-table.page_current": 0,
        "campaigns-table.sort_by": [],
    }
    response = call_callback(app, client, "campaigns-table", values)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.json["response"]["campaigns-table"]["data"]


def test_the_cached_campaign_list_shows_a_change_at_once(app):
    """The list's answer is cached (web/callback_cache.py); a lifecycle write's commit clears
    it (data/effects.py), so the next call shows the new draft, then its new status."""
    analyst = signed_in(app, "acme", "analyst")
    assert _list_rows(app, analyst, "Cache check") == []
    assert _list_rows(app, analyst, "Cache check") == []  # now served from the cache
    href = save(app, analyst, form(**{"name.value": "Cache check"}))[f"{FORM}-go"][
        "href"
    ]
    rows = _list_rows(app, analyst, "Cache check")
    assert [row["status"] for row in rows] == ["Draft"]
    values = form(
        **{"name.value": "Cache check", "save.n_clicks": None, "submit.n_clicks": 1}
    )
    values[f"{FORM}-campaign-id.data"] = int(href.rsplit("/", 1)[1])
    values[f"{FORM}-version.data"] = 1  # as the edit form loaded it
    save(app, analyst, values)
    rows = _list_rows(app, analyst, "Cache check")
    assert [row["status"] for row in rows] == ["Pending approval"]
