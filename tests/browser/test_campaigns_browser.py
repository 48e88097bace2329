"""Campaigns list and detail in a real browser: filter, sort, page, download the CSV, open a detail."""

from __future__ import annotations

import csv
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from selenium.webdriver.common.by import By

from components.figures import NO_ACTIVITY
from tests.browser.conftest import screenshot, texts, wait_for_url, wait_until
from tests.golden import expected_cases

CASE = next(
    c
    for c in expected_cases()
    if c["organization_slug"] == "acme" and c["start"] == "2026-10-19"
)
GOLDEN_NAMES = {
    "1": "Spring Hiking Boots",
    "2": "Tent Clearance",
    "3": "Brand Awareness (no sales)",
    "4": "Draft — never launched",
}
RANGE = "start=2026-10-19&end=2026-11-01"


def _names(duo) -> list[str]:
    return texts(duo, "#campaigns-table td[data-dash-column=name]")


def _wait_for_names(duo, expected: list[str], timeout: float = 15) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if _names(duo) == expected:
            return
        time.sleep(0.2)
    assert _names(duo) == expected


def _finished_downloads(directory: Path) -> list[Path]:
    """The CSV files once Chromium has finished writing them.

    Chromium writes to a ``.crdownload`` and, just before renaming it, creates the final
    name as an empty file (seen for under a millisecond): a file that merely exists may not
    hold the download yet.
    """

    def finished() -> bool:
        files = list(directory.glob("*.csv"))
        in_progress = list(directory.glob("*.crdownload"))
        return bool(files) and not in_progress and all(f.stat().st_size for f in files)

    wait_until(finished, timeout=20, message="the CSV download did not finish")
    return sorted(directory.glob("*.csv"))


def test_list_filters_sorts_and_opens_detail(signed_in):
    duo = signed_in("analyst@acme.test", f"/campaigns?{RANGE}")
    by_revenue = sorted(
        CASE["by_campaign"],
        key=lambda k: (Decimal(CASE["by_campaign"][k]["revenue"]), int(k)),
        reverse=True,
    )
    _wait_for_names(duo, [GOLDEN_NAMES[k] for k in by_revenue])
    assert "of 4 campaigns" in duo.find_element("#campaigns-summary").text
    first_revenue = texts(duo, "#campaigns-table td[data-dash-column=revenue]")[0]
    assert first_revenue == f"${Decimal(CASE['by_campaign']['1']['revenue']):,.2f}"
    screenshot(duo, "campaigns-light")

    # Sort by spend: the header's sort control cycles ascending first.
    duo.find_element(
        "#campaigns-table th[data-dash-column=spend] .column-header--sort"
    ).click()
    by_spend = sorted(
        CASE["by_campaign"],
        key=lambda k: (Decimal(CASE["by_campaign"][k]["spend"]), int(k)),
    )
    _wait_for_names(duo, [GOLDEN_NAMES[k] for k in by_spend])
    wait_for_url(duo, "sort=spend", "desc=0")

    search = duo.find_element("#campaigns-search")
    search.send_keys("tent\n")
    _wait_for_names(duo, ["Tent Clearance"])
    wait_for_url(duo, "search=tent")

    duo.find_element("#campaigns-table td[data-dash-column=name] a").click()
    duo.wait_for_contains_text("#campaign-title", "Tent Clearance", timeout=15)
    assert "/campaigns/" in duo.driver.current_url
    duo.wait_for_element("#campaign-deployments-table", timeout=15)
    assert (
        "TikTok".lower() in duo.find_element("#campaign-deployments-table").text.lower()
    )
    # Paused, with nothing spent or earned in the range: the chart says so (no flat zero lines).
    duo.wait_for_contains_text("#campaign-trend", NO_ACTIVITY, timeout=15)
    assert not duo.driver.find_elements(
        "css selector", "#campaign-trend .scatterlayer .trace"
    )
    screenshot(duo, "campaign-detail-light")


def test_csv_download_has_every_filtered_row_with_golden_numbers(signed_in):
    duo = signed_in("analyst@acme.test", f"/campaigns?{RANGE}")
    _wait_for_names(
        duo,
        [
            GOLDEN_NAMES[k]
            for k in sorted(
                CASE["by_campaign"],
                key=lambda k: (Decimal(CASE["by_campaign"][k]["revenue"]), int(k)),
                reverse=True,
            )
        ],
    )
    duo.find_element("#campaigns-export-csv").click()
    files = _finished_downloads(Path(duo.download_path))
    assert [f.name for f in files] == ["kiki-campaigns-2026-10-19-to-2026-11-01.csv"]
    # The file for people: a byte-order mark, headers in words, money to the cent, CTR and CVR
    # in percent to two decimals (as the screen shows them), half up.
    with open(files[0], newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    header = {
        "name": "Campaign", "revenue": "Revenue", "spend": "Spend", "fee": "Fee",
        "conversions": "Conversions", "roas": "ROAS", "cpa": "CPA",
        "ctr": "CTR (%)", "cvr": "CVR (%)",
    }  # fmt: skip
    by_name = {row[header["name"]]: row for row in rows}
    assert set(by_name) == set(GOLDEN_NAMES.values())
    for golden_id, name in GOLDEN_NAMES.items():
        expected, row = CASE["by_campaign"][golden_id], by_name[name]
        assert Decimal(row[header["revenue"]]) == Decimal(expected["revenue"])
        assert Decimal(row[header["spend"]]) == Decimal(expected["spend"])
        cent = Decimal("0.01")
        assert row[header["fee"]] == str(
            Decimal(expected["fee"]).quantize(cent, rounding=ROUND_HALF_UP)
        )
        assert int(row[header["conversions"]]) == expected["conversions"]
        for ratio, scale in (("roas", 1), ("cpa", 1), ("ctr", 100), ("cvr", 100)):
            if expected[ratio] is None:
                assert row[header[ratio]] == "", f"{name} {ratio} must export empty"
            else:
                shown = Decimal(row[header[ratio]])
                assert shown == shown.quantize(cent), f"{name} {ratio} to the cent"
                assert abs(shown - Decimal(repr(expected[ratio])) * scale) <= Decimal(
                    "0.005"
                )


def test_server_side_paging_and_viewer_has_no_export(signed_in):
    duo = signed_in("viewer@bulk.test", "/campaigns?sort=name&desc=0")
    _wait_for_names(duo, [f"Bulk {i:03d}" for i in range(1, 26)])
    assert "Showing 1–25 of 60 campaigns" in duo.find_element("#campaigns-summary").text
    next_page = duo.find_element("#campaigns-table .next-page")
    duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'})", next_page
    )
    screenshot(duo, "campaigns-paging")
    duo.driver.execute_script("arguments[0].click()", next_page)
    _wait_for_names(duo, [f"Bulk {i:03d}" for i in range(26, 51)])
    wait_for_url(duo, "page=2")
    # The browser only ever holds one page of rows.
    assert (
        len(
            duo.driver.find_elements(
                By.CSS_SELECTOR, "#campaigns-table tr td[data-dash-column=name]"
            )
        )
        == 25
    )
    assert not duo.find_element("#campaigns-export-csv").is_displayed()


def test_unknown_campaign_shows_not_found(signed_in):
    duo = signed_in("viewer@acme.test", "/campaigns/999999")
    duo.wait_for_contains_text("#campaign-message", "no campaign", timeout=15)
    duo.driver.get(duo.server.url + "/campaigns/abc")
    duo.wait_for_text_to_equal(
        "#campaign-not-found h1", "Campaign not found", timeout=15
    )


def test_on_a_phone_each_campaign_is_a_card_of_labelled_numbers(signed_in):
    """At 390 px the list scrolls neither the page nor the table sideways, and each number
    says what it is (the table's own header, shown beside the value)."""
    duo = signed_in("viewer@acme.test", f"/campaigns?{RANGE}")
    duo.driver.set_window_size(390, 844)
    duo.wait_for_element("#campaigns-table td", timeout=20)
    wait_until(lambda: "Spring Hiking Boots" in " ".join(_names(duo)))
    widths = duo.driver.execute_script(
        "const box = document.querySelector('#campaigns-table .dash-spreadsheet-container');"
        "return [box.scrollWidth, box.clientWidth,"
        " document.documentElement.scrollWidth, document.documentElement.clientWidth];"
    )
    assert widths[0] <= widths[1] and widths[2] <= widths[3], widths
    labels = duo.driver.execute_script(
        "const row = document.querySelector('#campaigns-table td[data-dash-column=spend]');"
        "const cell = getComputedStyle(row, '::before');"
        "return [cell.content, cell.display,"
        " getComputedStyle(row.parentElement).display];"
    )
    # Shown (a flex item: computed as "block") beside the value, the row a block of its own.
    assert labels[0] == '"Spend"' and labels[1] != "none" and labels[2] == "block", (
        labels
    )
    screenshot(duo, "campaigns-phone-cards")
    duo.driver.set_window_size(1400, 1000)
    wait_until(
        lambda: (
            duo.driver.execute_script(
                "return getComputedStyle(document.querySelector("
                "'#campaigns-table td[data-dash-column=spend]'), '::before').display"
            )
            == "none"
        ),
        message="the labels stay on a wide screen",
    )
