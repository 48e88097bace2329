"""The campaign lifecycle through the API: create, edit, delete, submit, approve, reject and
withdraw, for every role, with bad input refused (nothing written) and illegal moves 409."""

from __future__ import annotations

import pytest

from tests.api.conftest import bearer
from tests.api.lifecycle_helpers import (
    API,
    act,
    create,
    created_id,
    row_counts,
    set_settings,
    submitted_id,
)
from tests.data.lifecycle.conftest import campaign_body

VARIANTS = [
    {
        "variant_label": "A",
        "headline": "Warm coats",
        "body": "Up to 40 % off.",
        "call_to_action": "Shop",
    },
    {
        "variant_label": "B",
        "headline": "Cosy scarves",
        "body": "Knitted in Porto.",
        "call_to_action": None,
    },
]


def _without_times(data: dict) -> dict:
    times = ("created_at", "updated_at", "requested_at", "decided_at")
    data = {k: v for k, v in data.items() if k not in times}
    if data.get("budget_request"):
        data["budget_request"] = _without_times(data["budget_request"])
    return data


def _draft(shop, campaign_id: int, **changes) -> dict:
    """The answer for the standard body, as written in tests/data/lifecycle/conftest.py."""
    return {
        "campaign_id": campaign_id,
        "name": "Winter sale",
        "status": "draft",
        "objective": "conversions",
        "platforms": ["google", "meta"],
        "budget_type": "daily",
        "budget_amount": "250.00",
        "budget_daily": "250.00",
        "currency": "EUR",
        "start_date": "2026-11-10",
        "end_date": "2026-11-30",
        "version": 1,
        "created_by_id": shop["ids"]["analyst"],
        "variants": VARIANTS,
        "budget_request": None,
        **changes,
    }


# --- create -------------------------------------------------------------------------------


def test_an_analyst_creates_a_draft(api, shop):
    response = create(api, shop)
    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.json["data"]
    campaign_id = data["campaign_id"]
    assert response.headers["Location"] == f"/api/v1/campaigns/{campaign_id}"
    assert response.headers["ETag"] == '"1"'
    assert _without_times(data) == _draft(shop, campaign_id)
    assert data["created_at"] and data["updated_at"]
    shown = api.get(response.headers["Location"], headers=shop["headers"]["viewer"])
    assert shown.status_code == 200
    assert (shown.json["data"]["name"], shown.json["data"]["status"]) == (
        "Winter sale",
        "draft",
    )
    assert shown.json["data"]["budget_daily"] == "250.00"


def test_a_lifetime_budget_is_spread_over_its_days(api, shop):
    response = create(
        api, shop, name="Spring", budget_type="lifetime", budget_amount="2100"
    )
    assert response.status_code == 201
    data = response.json["data"]
    # 2100.00 over the 21 days from 10 to 30 November: 100.00 a day.
    assert (data["budget_amount"], data["budget_daily"]) == ("2100.00", "100.00")


@pytest.mark.parametrize(
    ("who", "status"),
    [("viewer", 403), ("analyst", 201), ("analyst2", 201), ("admin", 201)],
)
def test_who_may_create(api, shop, who, status):
    response = create(api, shop, who, name=f"By {who}")
    assert response.status_code == status, response.get_data(as_text=True)
    if status == 403:
        assert response.json["error"]["code"] == "forbidden"


def test_an_anonymous_caller_is_refused_and_nothing_is_written(app, api, shop):
    before = row_counts(app, shop["org"])
    response = api.post(f"{API}/campaigns", json=campaign_body())
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert row_counts(app, shop["org"]) == before


BAD_BODIES = [
    ({"name": None}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "<b>Sale</b>"}, "name"),
    ({"name": "Sale &amp; more"}, "name"),
    ({"name": "Sale\x07"}, "name"),
    ({"name": "n" * 201}, "name"),
    ({"objective": "o" * 65}, "objective"),
    ({"platforms": []}, "platforms"),
    ({"platforms": ["myspace"]}, "platforms"),
    ({"platforms": "meta,nowhere"}, "platforms"),
    ({"budget_type": "weekly"}, "budget_type"),
    ({"budget_amount": "0"}, "budget_amount"),
    ({"budget_amount": "-5"}, "budget_amount"),
    ({"budget_amount": "1.234"}, "budget_amount"),
    ({"budget_amount": "1e3"}, "budget_amount"),
    ({"budget_amount": "NaN"}, "budget_amount"),
    ({"budget_amount": True}, "budget_amount"),
    ({"budget_amount": None}, "budget_amount"),
    ({"budget_amount": "1000000000000.00"}, "budget_amount"),
    ({"start_date": "10/11/2026"}, "start_date"),
    ({"end_date": "2026-11-10"}, "end_date"),
    ({"end_date": "2026-11-01"}, "end_date"),
    ({"budget_type": "lifetime", "end_date": None}, "end_date"),
    ({"variants": []}, "variants"),
    ({"variants": [{"headline": "H", "body": "B"}] * 11}, "variants"),
    ({"variants": ["just text"]}, "variants[0]"),
    ({"variants": [{"headline": "", "body": "B"}]}, "variants[0].headline"),
    ({"variants": [{"headline": "H" * 31, "body": "B"}]}, "variants[0].headline"),
    ({"variants": [{"headline": "H", "body": "B" * 91}]}, "variants[0].body"),
    (
        {"platforms": ["tiktok"], "variants": [{"headline": "H", "body": "B" * 101}]},
        "variants[0].body",
    ),
    (
        {"variants": [{"headline": "H", "body": "B", "call_to_action": "C" * 65}]},
        "variants[0].call_to_action",
    ),
    (
        {"variants": [{"headline": "H", "body": "<script>x</script>"}]},
        "variants[0].body",
    ),
    ({"colour": "blue"}, "colour"),
]


@pytest.mark.parametrize(("changes", "field"), BAD_BODIES)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    app, api, shop, changes, field
):
    before = row_counts(app, shop["org"])
    response = create(api, shop, **changes)
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.json["error"]
    assert error["code"] == "invalid_field"
    assert error["details"] == {"field": field}
    assert error["message"].startswith(f"{field}: ")
    assert row_counts(app, shop["org"]) == before


def test_the_organizations_budget_limit_and_unique_names_are_enforced(app, api, shop):
    set_settings(
        app, shop["org"], max_budget_amount=__import__("decimal").Decimal(1000)
    )
    too_much = create(api, shop, budget_amount="1000.01")
    assert too_much.status_code == 400
    assert too_much.json["error"]["message"] == (
        "budget_amount: At most 1,000.00 in your organization."
    )
    assert create(api, shop, budget_amount="1000").status_code == 201
    before = row_counts(app, shop["org"])
    again = create(api, shop, name="WINTER SALE")
    assert again.status_code == 400
    assert again.json["error"]["message"] == (
        "name: Another campaign already has this name."
    )
    assert row_counts(app, shop["org"]) == before


@pytest.mark.parametrize(
    ("data", "content_type", "status", "field"),
    [
        (b"", "application/json", 400, "body"),
        (b"{not json", "application/json", 400, "body"),
        (b"[1, 2]", "application/json", 400, "body"),
        (b'"text"', "application/json", 400, "body"),
        (b"name=Sale", "application/x-www-form-urlencoded", 415, None),
        (b'{"name": "Sale"}', "text/plain", 415, None),
        (b'{"name": "Sale"}', None, 415, None),
    ],
)
def test_a_body_that_is_not_one_json_object_is_refused(
    app, api, shop, data, content_type, status, field
):
    before = row_counts(app, shop["org"])
    headers = dict(shop["headers"]["analyst"])
    if content_type:
        headers["Content-Type"] = content_type
    response = api.post(f"{API}/campaigns", data=data, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"]["details"].get("field") == field
    if status == 415:
        assert response.json["error"]["message"] == "Send the body as application/json."
    assert row_counts(app, shop["org"]) == before


# --- edit ---------------------------------------------------------------------------------


def test_an_edit_replaces_the_fields_sent_and_keeps_the_others(api, shop):
    campaign_id = created_id(api, shop)
    response = api.patch(
        f"{API}/campaigns/{campaign_id}",
        json={"name": "Winter sale 2", "budget_amount": "300.5", "version": 1},
        headers=shop["headers"]["analyst2"],
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["ETag"] == '"2"'
    assert _without_times(response.json["data"]) == _draft(
        shop,
        campaign_id,
        name="Winter sale 2",
        budget_amount="300.50",
        budget_daily="300.50",
        version=2,
    )


def test_an_edit_of_a_stale_version_is_409_and_changes_nothing(app, api, shop):
    campaign_id = created_id(api, shop)
    url = f"{API}/campaigns/{campaign_id}"
    first = api.patch(
        url,
        json={"name": "First"},
        headers={**shop["headers"]["analyst"], "If-Match": '"1"'},
    )
    assert first.status_code == 200
    before = row_counts(app, shop["org"])
    late = api.patch(
        url,
        json={"name": "Second"},
        headers={**shop["headers"]["analyst"], "If-Match": '"1"'},
    )
    assert late.status_code == 409
    assert late.json["error"]["message"] == (
        "This campaign changed since you loaded it: reload and try again."
    )
    assert row_counts(app, shop["org"]) == before
    shown = api.get(url, headers=shop["headers"]["analyst"])
    assert shown.json["data"]["name"] == "First"


@pytest.mark.parametrize(
    ("headers", "body", "field"),
    [
        ({"If-Match": "1"}, {"name": "X"}, "If-Match"),
        ({"If-Match": '"abc"'}, {"name": "X"}, "If-Match"),
        ({}, {"name": "X", "version": "1"}, "version"),
        ({}, {"name": "X", "version": True}, "version"),
        ({}, {"name": "X", "version": 0}, "version"),
        ({"If-Match": '"1"'}, {"name": "X", "version": 2}, "version"),
        ({}, {"variants": "none"}, "variants"),
    ],
)
def test_a_malformed_edit_is_400_naming_the_field(app, api, shop, headers, body, field):
    campaign_id = created_id(api, shop)
    before = row_counts(app, shop["org"])
    response = api.patch(
        f"{API}/campaigns/{campaign_id}",
        json=body,
        headers={**shop["headers"]["analyst"], **headers},
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"]["details"] == {"field": field}
    assert row_counts(app, shop["org"]) == before


def test_a_pending_campaign_cannot_be_edited(app, api, shop):
    campaign_id = submitted_id(api, shop)
    before = row_counts(app, shop["org"])
    response = api.patch(
        f"{API}/campaigns/{campaign_id}",
        json={"name": "Sneaky"},
        headers=shop["headers"]["analyst"],
    )
    assert response.status_code == 409
    assert response.json["error"]["message"] == (
        "A campaign that is pending approval cannot be edited."
    )
    assert row_counts(app, shop["org"]) == before


# --- delete -------------------------------------------------------------------------------


def test_a_draft_is_deleted_softly_and_then_not_found(app, api, shop):
    campaign_id = created_id(api, shop)
    url = f"{API}/campaigns/{campaign_id}"
    response = api.delete(url, headers=shop["headers"]["analyst"])
    assert response.status_code == 204 and response.get_data() == b""
    assert row_counts(app, shop["org"])["campaigns"] == 1  # kept, marked deleted
    assert api.get(url, headers=shop["headers"]["analyst"]).status_code == 404
    assert api.delete(url, headers=shop["headers"]["analyst"]).status_code == 404
    # Its name is free again.
    assert create(api, shop).status_code == 201


def test_only_the_author_or_an_admin_deletes_a_draft(api, shop):
    campaign_id = created_id(api, shop)
    url = f"{API}/campaigns/{campaign_id}"
    other = api.delete(url, headers=shop["headers"]["analyst2"])
    assert other.status_code == 403
    assert other.json["error"]["message"] == (
        "Only the campaign's author or an admin can delete it."
    )
    assert api.delete(url, headers=shop["headers"]["viewer"]).status_code == 403
    assert api.delete(url, headers=shop["headers"]["admin"]).status_code == 204


def test_a_pending_campaign_cannot_be_deleted(api, shop):
    campaign_id = submitted_id(api, shop)
    response = api.delete(
        f"{API}/campaigns/{campaign_id}", headers=shop["headers"]["analyst"]
    )
    assert response.status_code == 409
    assert response.json["error"]["message"] == (
        "A campaign that is pending approval cannot be deleted."
    )


# --- submit, approve, reject, withdraw ----------------------------------------------------


def test_submitting_opens_a_pending_request(app, api, shop):
    campaign_id = created_id(api, shop)
    response = act(api, shop, campaign_id, "submit", "analyst")
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.json["data"]
    request_id = data["budget_request"]["request_id"]
    assert _without_times(data) == _draft(
        shop,
        campaign_id,
        status="pending_approval",
        version=2,
        budget_request={
            "request_id": request_id,
            "status": "pending",
            "requested_amount": "250.00",
            "approved_amount": None,
            "auto_approved": False,
            "requested_by_id": shop["ids"]["analyst"],
            "decided_by_id": None,
            "decision_reason": None,
            "version": 1,
        },
    )
    assert data["budget_request"]["requested_at"]
    assert data["budget_request"]["decided_at"] is None
    # Both admins are told; the submitter is not.
    counts = row_counts(app, shop["org"])
    assert (counts["requests"], counts["notifications"]) == (1, 2)
    again = act(api, shop, campaign_id, "submit", "analyst")
    assert again.status_code == 409
    assert again.json["error"]["message"] == (
        "A campaign that is pending approval cannot be submitted."
    )


def test_a_submission_needs_dates_not_in_the_past(app, api, shop):
    no_start = created_id(api, shop, name="Undated", start_date=None, end_date=None)
    past = created_id(api, shop, name="Late", start_date="2026-10-30")
    before = row_counts(app, shop["org"])
    for campaign_id, message in (
        (no_start, "start_date: Set a start date before submitting."),
        (past, "start_date: The start date is in the past."),
    ):
        response = act(api, shop, campaign_id, "submit", "analyst")
        assert response.status_code == 400
        assert response.json["error"]["message"] == message
    assert row_counts(app, shop["org"]) == before


def test_submitting_at_or_under_the_ceiling_is_approved_at_once(app, api, shop):
    set_settings(
        app, shop["org"], auto_approve_ceiling=__import__("decimal").Decimal(250)
    )
    campaign_id = created_id(api, shop)
    response = act(api, shop, campaign_id, "submit", "analyst")
    data = response.json["data"]
    assert (data["status"], data["version"]) == ("approved", 3)
    assert data["budget_request"]["status"] == "approved"
    assert data["budget_request"]["auto_approved"] is True
    assert data["budget_request"]["approved_amount"] == "250.00"


def test_an_admin_approves_a_lower_amount_with_a_reason(app, api, shop):
    campaign_id = submitted_id(api, shop)
    response = act(
        api, shop, campaign_id, "approve", "admin",
        {"amount": "200", "reason": "Q4 is tight", "version": 2},
    )  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.json["data"]
    assert (data["status"], data["version"]) == ("approved", 3)
    assert (data["budget_amount"], data["budget_daily"]) == ("200.00", "200.00")
    decision = _without_times(data["budget_request"])
    assert decision == {
        "request_id": decision["request_id"],
        "status": "approved",
        "requested_amount": "250.00",
        "approved_amount": "200.00",
        "auto_approved": False,
        "requested_by_id": shop["ids"]["analyst"],
        "decided_by_id": shop["ids"]["admin"],
        "decision_reason": "Q4 is tight",
        "version": 2,
    }
    again = act(api, shop, campaign_id, "approve", "admin2")
    assert again.status_code == 409
    assert again.json["error"]["message"] == (
        "A campaign that is approved cannot be approved."
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "200"}, "reason"),
        ({"amount": "300"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"reason": "<i>ok</i>"}, "reason"),
        ({"reason": "r" * 501}, "reason"),
        ({"note": "hi"}, "note"),
    ],
)
def test_a_bad_approval_is_refused_and_nothing_is_written(app, api, shop, body, field):
    campaign_id = submitted_id(api, shop)
    before = row_counts(app, shop["org"])
    response = act(api, shop, campaign_id, "approve", "admin", body)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"]["details"] == {"field": field}
    assert row_counts(app, shop["org"]) == before


def test_only_admins_decide_and_never_their_own_request(app, api, shop):
    campaign_id = submitted_id(api, shop)
    for who in ("viewer", "analyst", "analyst2"):
        for action in ("approve", "reject"):
            response = act(api, shop, campaign_id, action, who, {"reason": "no"})
            assert response.status_code == 403, (who, action)
    own = submitted_id(api, shop, "admin", name="Admin's own")
    before = row_counts(app, shop["org"])
    response = act(api, shop, own, "approve", "admin")
    assert response.status_code == 403
    assert response.json["error"]["message"] == (
        "You cannot decide your own request: another admin must."
    )
    assert row_counts(app, shop["org"]) == before
    assert act(api, shop, own, "approve", "admin2").status_code == 200


def test_a_draft_cannot_be_approved_rejected_or_withdrawn(api, shop):
    campaign_id = created_id(api, shop)
    for action, who, past in (
        ("approve", "admin", "approved"),
        ("reject", "admin", "rejected"),
        ("withdraw", "analyst", "withdrawn"),
    ):
        response = act(api, shop, campaign_id, action, who, {"reason": "r"})
        if action == "withdraw":
            response = act(api, shop, campaign_id, action, who)
        assert response.status_code == 409, action
        assert response.json["error"]["message"] == (
            f"A campaign that is draft cannot be {past}."
        )


def test_a_rejection_needs_a_reason_and_the_campaign_can_be_edited_again(
    app, api, shop
):
    campaign_id = submitted_id(api, shop)
    before = row_counts(app, shop["org"])
    for body, field in (
        (None, "body"),
        ({}, "reason"),
        ({"reason": "  "}, "reason"),
    ):
        response = act(api, shop, campaign_id, "reject", "admin", body)
        assert response.status_code == 400, body
        assert response.json["error"]["details"] == {"field": field}
    assert row_counts(app, shop["org"]) == before
    response = act(api, shop, campaign_id, "reject", "admin", {"reason": "Too broad"})
    assert response.status_code == 200
    data = response.json["data"]
    assert (data["status"], data["budget_request"]["status"]) == (
        "rejected",
        "rejected",
    )
    assert data["budget_request"]["decision_reason"] == "Too broad"
    edited = api.patch(
        f"{API}/campaigns/{campaign_id}",
        json={"budget_amount": "150"},
        headers=shop["headers"]["analyst"],
    )
    assert edited.status_code == 200
    assert (edited.json["data"]["status"], edited.json["data"]["version"]) == (
        "draft",
        4,
    )


def test_the_requester_withdraws_and_the_request_is_cancelled(api, shop):
    campaign_id = submitted_id(api, shop)
    other = act(api, shop, campaign_id, "withdraw", "analyst2")
    assert other.status_code == 403
    assert other.json["error"]["message"] == (
        "Only the requester or an admin can withdraw it."
    )
    response = act(api, shop, campaign_id, "withdraw", "analyst")
    assert response.status_code == 200
    data = response.json["data"]
    assert (data["status"], data["version"]) == ("draft", 3)
    assert data["budget_request"]["status"] == "cancelled"
    assert act(api, shop, campaign_id, "submit", "analyst").status_code == 200


def test_another_organizations_campaign_is_not_found(app, api, shop, token_for):
    draft = created_id(api, shop, name="Mine")
    pending = submitted_id(api, shop, name="Pending")
    outsider = bearer(token_for("globex", "admin"))
    before = row_counts(app, shop["org"])
    calls = [
        ("PATCH", f"/campaigns/{draft}", {"name": "Theirs"}),
        ("DELETE", f"/campaigns/{draft}", None),
        ("POST", f"/campaigns/{draft}/submit", None),
        ("POST", f"/campaigns/{pending}/approve", None),
        ("POST", f"/campaigns/{pending}/reject", {"reason": "no"}),
        ("POST", f"/campaigns/{pending}/withdraw", None),
    ]
    for method, path, body in calls:
        kwargs = {"json": body} if body is not None else {}
        response = api.open(API + path, method=method, headers=outsider, **kwargs)
        assert response.status_code == 404, (method, path)
        assert response.json["error"]["message"] == "No such campaign."
    assert row_counts(app, shop["org"]) == before


def test_an_unknown_campaign_is_404_for_every_action(api, shop):
    for action in ("submit", "approve", "withdraw"):
        who = "admin" if action == "approve" else "analyst"
        assert act(api, shop, 2**31 - 1, action, who).status_code == 404
