"""The approval queue and notifications through the API: who sees what, filters, mark as read."""

from __future__ import annotations

import pytest

from tests.api.lifecycle_helpers import API, act, row_counts, submitted_id


def _queue(api, shop, who: str, query: str = ""):
    return api.get(f"{API}/approvals{query}", headers=shop["headers"][who])


def test_admins_see_the_organizations_queue_pending_first_oldest_first(api, shop):
    first = submitted_id(api, shop, name="First", platforms=["meta"])
    second = submitted_id(api, shop, "analyst2", name="Second", budget_amount="900")
    decided = submitted_id(api, shop, name="Decided", platforms=["tiktok"])
    act(api, shop, decided, "approve", "admin")
    response = _queue(api, shop, "admin")
    assert response.status_code == 200
    body = response.json
    assert [(r["campaign_name"], r["status"]) for r in body["data"]] == [
        ("First", "pending"),
        ("Second", "pending"),
        ("Decided", "approved"),
    ]
    assert (body["page"], body["page_size"], body["total"]) == (1, 100, 3)
    row = body["data"][1]
    assert {k: v for k, v in row.items() if not k.endswith("_at")} == {
        "request_id": row["request_id"],
        "campaign_id": second,
        "campaign_name": "Second",
        "platforms": ["google", "meta"],
        "budget_type": "daily",
        "requested_amount": "900.00",
        "approved_amount": None,
        "currency": "EUR",
        "status": "pending",
        "auto_approved": False,
        "requested_by_id": shop["ids"]["analyst2"],
        "requested_by": "Analyst2",
        "decided_by": None,
        "decision_reason": None,
        "version": 1,
    }
    assert first != second


def test_analysts_see_their_own_requests_and_viewers_none(api, shop):
    submitted_id(api, shop, name="Mine")
    submitted_id(api, shop, "analyst2", name="Theirs")
    mine = _queue(api, shop, "analyst").json["data"]
    assert [r["campaign_name"] for r in mine] == ["Mine"]
    viewer = _queue(api, shop, "viewer")
    assert viewer.status_code == 403


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("?status=approved", ["Tiktok"]),
        ("?status=pending", ["Meta", "Big"]),
        ("?platform=tiktok", ["Tiktok"]),
        ("?platform=google", ["Big"]),
        ("?min_amount=500", ["Big"]),
        ("?max_amount=250", ["Meta", "Tiktok"]),
        ("?min_amount=100&max_amount=250&platform=meta", ["Meta"]),
        ("?page=2&page_size=2", ["Tiktok"]),
    ],
)
def test_the_queue_filters(api, shop, query, names):
    submitted_id(api, shop, name="Meta", platforms=["meta"])
    big = submitted_id(api, shop, "analyst2", name="Big", budget_amount="800")
    tiktok = submitted_id(api, shop, name="Tiktok", platforms=["tiktok"])
    act(api, shop, tiktok, "approve", "admin")
    assert big
    response = _queue(api, shop, "admin", query)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [r["campaign_name"] for r in response.json["data"]] == names


def test_the_queue_filters_by_requester(api, shop):
    submitted_id(api, shop, name="Mine")
    submitted_id(api, shop, "analyst2", name="Theirs")
    response = _queue(api, shop, "admin", f"?requester={shop['ids']['analyst2']}")
    assert [r["campaign_name"] for r in response.json["data"]] == ["Theirs"]
    assert response.json["filters"] == {"requester": shop["ids"]["analyst2"]}


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("?status=lost", "status"),
        ("?platform=myspace", "platform"),
        ("?min_amount=-1", "min_amount"),
        ("?max_amount=NaN", "max_amount"),
        ("?requester=abc", "requester"),
        ("?page=0", "page"),
        ("?colour=blue", "colour"),
    ],
)
def test_a_bad_queue_filter_is_400_naming_it(api, shop, query, param):
    response = _queue(api, shop, "admin", query)
    assert response.status_code == 400
    assert response.json["error"]["details"] == {"param": param}


def test_the_requester_is_notified_of_the_decision_and_marks_it_read(app, api, shop):
    campaign_id = submitted_id(api, shop)
    admin_view = api.get(f"{API}/notifications", headers=shop["headers"]["admin"])
    assert [n["title"] for n in admin_view.json["data"]] == [
        "Budget approval requested: Winter sale"
    ]
    act(
        api,
        shop,
        campaign_id,
        "approve",
        "admin2",
        {"amount": "200.00", "reason": "Q4"},
    )
    response = api.get(
        f"{API}/notifications?unread=true", headers=shop["headers"]["analyst"]
    )
    assert response.status_code == 200
    body = response.json
    assert body["unread_count"] == 1
    assert body["filters"] == {"unread": True, "limit": 50}
    (note,) = body["data"]
    assert {k: v for k, v in note.items() if k != "created_at"} == {
        "notification_id": note["notification_id"],
        "kind": "budget_approved",
        "title": "Budget approved: Winter sale",
        "body": "200.00 EUR; Q4",
        "link": f"/campaigns/{campaign_id}",
        "read_at": None,
        "is_read": False,
    }
    marked = api.post(
        f"{API}/notifications/read",
        json={"notification_ids": [note["notification_id"]]},
        headers=shop["headers"]["analyst"],
    )
    assert marked.status_code == 200
    assert marked.json == {"data": {"marked": 1, "unread_count": 0}}
    again = api.get(f"{API}/notifications", headers=shop["headers"]["analyst"])
    assert again.json["data"][0]["is_read"] is True
    assert again.json["unread_count"] == 0
    unread = api.get(
        f"{API}/notifications?unread=true", headers=shop["headers"]["analyst"]
    )
    assert unread.json["data"] == []


def test_all_notifications_are_marked_read_and_only_ones_own(api, shop):
    submitted_id(api, shop, name="One")
    submitted_id(api, shop, name="Two")
    admin_notes = api.get(f"{API}/notifications", headers=shop["headers"]["admin"])
    assert admin_notes.json["unread_count"] == 2
    theirs = admin_notes.json["data"][0]["notification_id"]
    other = api.post(
        f"{API}/notifications/read",
        json={"notification_ids": [theirs]},
        headers=shop["headers"]["admin2"],
    )
    assert other.json["data"]["marked"] == 0  # admin2's own two stay unread too
    assert other.json["data"]["unread_count"] == 2
    response = api.post(
        f"{API}/notifications/read",
        json={"all": True},
        headers=shop["headers"]["admin"],
    )
    assert response.json == {"data": {"marked": 2, "unread_count": 0}}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"all": False}, "all"),
        ({"all": True, "notification_ids": [1]}, "body"),
        ({"notification_ids": []}, "notification_ids"),
        ({"notification_ids": ["1"]}, "notification_ids"),
        ({"notification_ids": [True]}, "notification_ids"),
        ({"ids": [1]}, "ids"),
    ],
)
def test_a_bad_mark_read_body_is_400(app, api, shop, body, field):
    before = row_counts(app, shop["org"])
    response = api.post(
        f"{API}/notifications/read", json=body, headers=shop["headers"]["viewer"]
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"]["details"] == {"field": field}
    assert row_counts(app, shop["org"]) == before


@pytest.mark.parametrize(
    ("query", "param"),
    [("?unread=maybe", "unread"), ("?limit=0", "limit"), ("?before_id=x", "before_id")],
)
def test_a_bad_notifications_parameter_is_400(api, shop, query, param):
    response = api.get(f"{API}/notifications{query}", headers=shop["headers"]["viewer"])
    assert response.status_code == 400
    assert response.json["error"]["details"] == {"param": param}


def test_anonymous_callers_get_no_queue_and_no_notifications(api):
    for method, path in (
        ("GET", "/approvals"),
        ("GET", "/notifications"),
        ("POST", "/notifications/read"),
    ):
        response = api.open(API + path, method=method, json={"all": True})
        assert response.status_code == 401, path
