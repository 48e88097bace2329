"""A refused export is a page for a browser that navigated to it, and JSON for scripts and XHR."""

from __future__ import annotations

import pytest

# What Chromium sends when the address bar or a link opens a URL.
BROWSER = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,"
    "image/avif,image/webp,*/*;q=0.8"
}
XHR = {"Accept": "*/*", "X-Requested-With": "XMLHttpRequest"}

REFUSED = [
    # (path, status, the message the page and the JSON both carry, where "back" leads)
    (
        "/export/campaigns.csv?start=2026-11-01&end=2026-10-01",
        400,
        "end",
        "/campaigns",
    ),
    ("/export/trend.csv?start=yesterday&end=2026-10-01", 400, "start", "/"),
    ("/export/nope.csv?start=2026-10-01&end=2026-10-02", 404, None, "/"),
    (
        "/export/campaign/daily.csv?campaign_id=999999&start=2026-10-01&end=2026-10-02",
        404,
        None,
        "/campaigns",
    ),
    (
        "/export/campaign/daily.csv?campaign_id=abc&start=2026-10-01&end=2026-10-02",
        400,
        "campaign_id",
        "/campaigns",
    ),
    (
        "/export/campaign/nope.csv?campaign_id=1&start=2026-10-01&end=2026-10-02",
        404,
        None,
        "/campaigns",
    ),
    ("/export/audit.csv?start=2026-12-31&end=2026-01-01", 400, "end", "/audit"),
    ("/export/personal-data.zip?user=abc", 400, None, "/settings/privacy"),
    ("/export/personal-data.zip?user=987654321", 404, None, "/settings/privacy"),
]


@pytest.mark.parametrize("path, status, param, back", REFUSED)
def test_a_browser_gets_a_page_with_the_message_and_a_way_back(
    client_for, path, status, param, back
):
    client = client_for("acme", "admin")
    script = client.get(path)  # what the message is, as a script is told it
    response = client.get(path, headers=BROWSER)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<html lang="en"' in page and "/assets/kiki.css" in page
    assert 'id="export-error-message"' in page
    message = script.json["error"]["message"]
    assert message.replace("'", "&#39;").replace('"', "&#34;") in page
    assert f'href="{back}" id="export-error-back"' in page
    assert "Content-Disposition" not in response.headers


@pytest.mark.parametrize("headers", [{}, {"Accept": "*/*"}, XHR,
                                     {"Accept": "application/json"},
                                     {"Accept": "text/csv"}])  # fmt: skip
@pytest.mark.parametrize("path, status, param, back", REFUSED)
def test_scripts_and_xhr_keep_the_json_error(
    client_for, headers, path, status, param, back
):
    response = client_for("acme", "admin").get(path, headers=headers)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert error["code"] == ("bad_parameter" if status == 400 else "not_found")
    assert error["message"]
    if param:
        assert error["details"]["param"] == param


def test_a_browser_still_downloads_a_good_export(client_for):
    response = client_for("acme", "analyst").get(
        "/export/campaigns.csv?start=2026-10-05&end=2026-11-01", headers=BROWSER
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"


def test_the_page_escapes_what_the_request_carried(client_for):
    """The message can quote the request; on the page it is text, never markup."""
    response = client_for("acme", "analyst").get(
        "/export/campaigns.csv?start=<script>alert(1)</script>&end=2026-10-01",
        headers=BROWSER,
    )
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
