"""An analyst uploads an image and a short video on /creatives (the page's chunked upload script),
links the image to a campaign's Meta deployment and sees what it earned. Its own world: the
upload and the link would otherwise show on the shared world's pages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from selenium.webdriver.common.by import By
from sqlalchemy.orm import Session

from data.db import make_engine
from tests import media_corpus as corpus
from tests.browser.a11y import axe_violations, describe
from tests.browser.conftest import screenshot, wait_until
from tests.browser.test_lifecycle_browser import click
from tests.factories import build_world
from tests.services import create_database


@pytest.fixture(scope="module")
def browser_world(tmp_path_factory):
    url = create_database("sqlite", tmp_path_factory.mktemp("creatives-browser"))
    engine = make_engine(url)
    with Session(engine) as session:
        world = build_world(session)
    engine.dispose()
    return url, world


def library(duo) -> str:
    return duo.find_element("#creatives-library").text


def choose(duo, selector: str, text: str) -> None:
    """Pick the first option of a dcc.Dropdown whose text contains ``text``."""
    click(duo, selector)
    menu = duo.wait_for_element(".dash-dropdown-options", timeout=10)
    option = next(
        o
        for o in menu.find_elements(By.CSS_SELECTOR, ".dash-dropdown-option")
        if text in o.text
    )
    option.click()


def best_meta_campaign(url: str) -> str:
    """The acme campaign whose Meta deployment earned the most in October (the period shown)."""
    engine = make_engine(url)
    with engine.connect() as conn:
        name = conn.execute(
            sa.text(
                "SELECT c.name FROM performance_metrics m"
                " JOIN campaign_deployments c ON c.id = m.campaign_id"
                " JOIN organizations o ON o.id = c.organization_id"
                " WHERE o.slug = 'acme' AND m.platform = 'meta'"
                " AND m.date BETWEEN '2026-10-03' AND '2026-11-01'"
                " GROUP BY c.name ORDER BY sum(m.revenue) DESC LIMIT 1"
            )
        ).scalar_one()
    engine.dispose()
    return name


def test_upload_link_and_see_performance(signed_in, tmp_path, browser_world):
    image = tmp_path / "autumn-square.jpg"
    image.write_bytes(corpus.jpeg(size=(1080, 1080), color="orange", exif_gps=True))
    video = tmp_path / "autumn-clip.mp4"
    video.write_bytes(corpus.mp4_video())
    duo = signed_in("analyst@acme.test", "/creatives")
    duo.wait_for_element("#creatives-file", timeout=15)
    duo.find_element("#creatives-file").send_keys(f"{image}\n{video}")
    wait_until(
        lambda: (
            "2 file(s) uploaded" in duo.find_element("#creatives-upload-status").text
        ),
        timeout=30,
        message="the uploads did not finish: "
        + duo.find_element("#creatives-upload-status").text,
    )
    wait_until(
        lambda: (
            "autumn-square.jpg" in library(duo) and "autumn-clip.mp4" in library(duo)
        ),
        timeout=15,
        message="the uploads are not listed",
    )
    assert "1080×1080" in library(duo) and "540×960" in library(duo)
    choose(duo, "#creatives-link-creative", "autumn-square")
    campaign = best_meta_campaign(browser_world[0])
    choose(duo, "#creatives-link-deployment", f"{campaign} · Meta")
    click(duo, "#creatives-link-save")
    wait_until(
        lambda: "linked" in duo.find_element("#creatives-notice").text,
        timeout=15,
        message="not linked: " + duo.find_element("#creatives-notice").text,
    )

    def first_row() -> str:
        return duo.find_element("#creatives-table-body tbody tr:first-child").text

    # First by revenue once the library is read again: it ran on Meta in the period.
    wait_until(
        lambda: (
            "autumn-square.jpg" in first_row() and "1 (meta)" in first_row().lower()
        ),
        timeout=15,
        message="the linked image is not first by revenue: "
        + duo.find_element("#creatives-notice").text
        + library(duo),
    )
    assert "$0.00 $0.00" not in first_row()
    screenshot(duo, "creatives-library")
    violations = axe_violations(
        duo.driver
    )  # the table with thumbnails, badges and actions
    assert not violations, describe(violations)
    assert not duo.get_logs(), duo.get_logs()
