"""/api/v1/ltv/campaigns and /ltv/cohorts answer the /ltv page's repository frames, figure for
figure, scoped to the caller's organization."""

from __future__ import annotations

import pytest

from data.filters import parse_range
from data.reads.ltv import ltv_by_campaign, ltv_by_month
from data.scope import Scope
from tests.api.conftest import bearer, request_token
from tests.api.test_api_numbers import assert_frame, read_frame
from tests.ltv_world import END, START, commit_ltv_world

QUERY = f"start={START}&end={END}"


@pytest.fixture(scope="module")
def ltv_app_world(app):
    return commit_ltv_world(app)


@pytest.fixture(scope="module")
def tokens(app, ltv_app_world):
    """One token per role for the module: each sign-in counts against the token limit that
    the other API tests need too."""
    client = app.server.test_client()
    return {
        role: request_token(client, email).json["access_token"]
        for role, email in ltv_app_world["users"].items()
    }


@pytest.fixture
def headers(tokens):
    return bearer(tokens["viewer"])


@pytest.mark.parametrize(
    "path, read",
    [("/api/v1/ltv/campaigns", ltv_by_campaign), ("/api/v1/ltv/cohorts", ltv_by_month)],
)
@pytest.mark.parametrize("platform", ["", "meta"])
def test_ltv_rows_equal_the_repository_frames(
    app,
    api,
    headers,
    ltv_app_world,
    path,
    read,
    platform,
):
    scope = Scope(ltv_app_world["orgs"]["ltv-a"], "viewer")
    platforms = (platform,) if platform else ()
    frame = read_frame(app, read, scope, parse_range(START, END), platforms)
    body = api.get(f"{path}?{QUERY}&platform={platform}", headers=headers).json
    assert body["total"] == len(frame) > 0
    assert_frame(body["data"], frame, path)
    assert body["filters"]["start"] == START


def test_ltv_campaigns_by_hand(api, headers):
    rows = api.get(f"/api/v1/ltv/campaigns?{QUERY}", headers=headers).json["data"]
    alpha, beta, gamma = rows
    assert (alpha["customers"], alpha["spend"], alpha["cac"]) == (29, "750.00", 26.0)
    assert (beta["ltv_cac"], beta["median_payback_months"]) == (4.0, None)
    assert gamma["cac"] is None and gamma["young_cohorts"] == 1
    assert "Other org campaign" not in {row["campaign_name"] for row in rows}


def test_ltv_cohorts_csv_and_anonymous(api, headers, tokens):
    url = f"/api/v1/ltv/cohorts?{QUERY}"
    as_csv = {**headers, "Accept": "text/csv"}
    assert api.get(url, headers=as_csv).status_code == 403  # a viewer exports nothing
    answer = api.get(url, headers={**bearer(tokens["analyst"]), "Accept": "text/csv"})
    assert answer.status_code == 200
    lines = answer.get_data(as_text=True).splitlines()
    assert lines[0].startswith("cohort_month,too_young,cohorts") and len(lines) == 5
    assert api.get(f"/api/v1/ltv/cohorts?{QUERY}").status_code == 401
