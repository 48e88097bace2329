"""URL state between the campaign list and a campaign: the range in the URL, the way back."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from components.campaign_table import campaign_rows


def _by_id(component, found=None) -> dict:
    found = {} if found is None else found
    if getattr(component, "id", None):
        found[component.id] = component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if hasattr(child, "to_plotly_json"):
            _by_id(child, found)
    return found


def _back_link(page) -> str:
    def walk(component):
        if getattr(component, "children", None) == "← All campaigns":
            return component.href
        children = getattr(component, "children", None)
        for child in children if isinstance(children, list) else [children]:
            if hasattr(child, "to_plotly_json") and (found := walk(child)):
                return found
        return None

    return walk(page)


def test_all_campaigns_keeps_the_lists_filters_and_nothing_else(app):
    from pages.campaign_detail import list_href

    back = "start=2026-10-01&end=2026-10-31&search=spring&status=active&page=3&evil=1"
    assert list_href(back) == (
        "/campaigns?start=2026-10-01&end=2026-10-31&search=spring&status=active&page=3"
    )
    assert list_href(None) == "/campaigns"
    assert list_href("javascript:alert(1)") == "/campaigns"
    assert list_href("x" * 10_000) == "/campaigns"


def test_the_detail_page_links_back_with_the_filters_and_syncs_its_range(app):
    from pages import campaign_detail

    with app.server.test_request_context("/campaigns/3"):
        page = campaign_detail.layout(
            "3", start="2026-10-05", end="2026-10-11", back="search=spring&sort=name"
        )
    ids = _by_id(page)
    assert _back_link(page) == "/campaigns?search=spring&sort=name"
    assert ids["campaign-url-sync"].data == "search=spring&sort=name"
    assert "campaign-url-synced" in ids


def test_the_list_links_a_campaign_with_its_filters_to_come_back_to(app):
    import pandas as pd

    frame = pd.DataFrame(
        [
            {
                "campaign_id": 4,
                "name": "Spring",
                "status": "active",
                "platforms": "meta",
                **{c: 0 for c in ("budget_daily", "spend", "revenue", "profit")},
                **{c: 0 for c in ("fee", "conversions", "impressions", "clicks")},
                **{c: None for c in ("roas", "roi", "cpa", "cpc", "cpm", "ctr", "cvr")},
            }
        ]
    )
    from pages.campaigns import detail_link_query

    query = detail_link_query(
        "2026-10-05", "2026-10-11", {"search": "spring", "page": 2}
    )
    link = campaign_rows(frame, query)[0]["name"]
    url = link[link.index("(") + 1 : -1]
    params = parse_qs(urlsplit(url).query)
    assert params["start"] == ["2026-10-05"] and params["end"] == ["2026-10-11"]
    assert params["back"] == ["search=spring&page=2"]


def test_an_unknown_campaign_shows_only_a_not_found_page(app, world):
    from tests.auth import dash_calls
    from tests.auth.support import member_factory, sign_in

    members = member_factory(app, world)
    client = sign_in(app, next(members)("acme", "viewer").email)
    values = {
        "campaign-id.data": 999_999,
        "campaign-dates.start_date": "2026-10-05",
        "campaign-dates.end_date": "2026-10-11",
    }
    response = dash_calls.call(app, client, "campaign-body", values)
    assert dash_calls.response_of(response, "campaign-body", "hidden") is True
    text = response.get_data(as_text=True)
    assert "There is no campaign at this address" in text
    message = dash_calls.response_of(response, "campaign-message", "children")
    link = message["props"]["children"][1]["props"]
    assert link == {"children": "Back to all campaigns", "href": "/campaigns"}
    assert "campaign-trend" not in response.json["response"]  # no empty chart drawn


def _routed_title(app, client, path: str) -> str:
    from tests.auth import dash_calls

    client.get("/")  # Dash registers its page router at the first request
    values = {"_pages_location.pathname": path, "_pages_location.search": ""}
    response = dash_calls.post(
        client, dash_calls.payload(app, dash_calls.ROUTER, values)
    )
    return dash_calls.response_of(response, "_pages_store", "data")["title"]


def test_a_campaigns_tab_is_titled_with_its_name(app, world, client_for):
    from data.db import get_database
    from data.models import CampaignDeployment

    campaign_id = world["campaigns"]["1"]
    with app.server.app_context(), get_database().session_scope() as session:
        name = session.get(CampaignDeployment, campaign_id).name
    client = client_for("acme", "viewer")
    title = f"{name} · Campaigns · KIKI Analytics"
    assert _routed_title(app, client, f"/campaigns/{campaign_id}") == title
    # The first layout (shell/page_container.py) holds the same title.
    layout = client.get(
        "/_dash-layout",
        headers={"Referer": f"http://localhost/campaigns/{campaign_id}"},
    ).json
    from tests.auth.dash_calls import page_container

    assert page_container(layout)["_pages_store"]["data"] == {"title": title}


@pytest.mark.parametrize("campaign", ["999999", "abc", "0", "9" * 40])
def test_no_campaign_no_name_in_the_title(app, client_for, campaign):
    title = _routed_title(app, client_for("acme", "viewer"), f"/campaigns/{campaign}")
    assert title == "Campaign · KIKI Analytics"


def test_another_organizations_campaign_keeps_its_name_to_itself(
    app, world, client_for
):
    campaign_id = world["campaigns"]["1"]  # an acme campaign
    title = _routed_title(
        app, client_for("globex", "admin"), f"/campaigns/{campaign_id}"
    )
    assert title == "Campaign · KIKI Analytics"


def test_the_title_outside_a_request_is_the_generic_one(app):
    from pages.campaign_detail import campaign_title

    assert campaign_title("1") == "Campaign · KIKI Analytics"
    assert campaign_title() == "Campaign · KIKI Analytics"
