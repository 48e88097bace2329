"""axe-core finds no violation (all default rules, best practices included) on every page, in
both themes, for every role that can open it; the sign-in form too."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.keys import Keys

from tests.browser.a11y import axe_violations, describe, open_page, pages_for
from tests.browser.conftest import free_port, wait_until


def _set_theme(duo, theme: str) -> None:
    """What the theme switch leaves behind: the shell's store (local storage) and its cookie."""
    duo.driver.execute_script(
        "localStorage.setItem('shell-theme', JSON.stringify(arguments[0]));"
        "document.cookie = 'kiki_theme=' + arguments[0] + '; Path=/';",
        theme,
    )


@pytest.mark.parametrize("role", ["viewer", "analyst", "admin"])
def test_axe_finds_no_violation_on_any_page(signed_in, role):
    duo = signed_in(f"{role}@acme.test", "/")
    found = {}
    for theme in ("light", "dark"):
        _set_theme(duo, theme)
        for name, (path, ready) in pages_for(role).items():
            open_page(duo, path, ready, name)
            shown = duo.driver.execute_script(
                "return document.documentElement.getAttribute('data-bs-theme')"
            )
            assert shown == theme, f"{name}: asked for {theme}, shows {shown}"
            if violations := axe_violations(duo.driver):
                found[f"{name} ({theme}, {role})"] = describe(violations)
    assert not found, "\n\n".join(f"{page}:\n{text}" for page, text in found.items())


def test_axe_finds_no_violation_on_sign_in(dash_duo, browser_app):
    dash_duo.start_server(browser_app, navigate=False, port=free_port())
    found = {}
    for theme in ("light", "dark"):
        dash_duo.driver.get(dash_duo.server.url + "/login")
        _set_theme(dash_duo, theme)
        for query in ("", "?failed"):
            dash_duo.driver.get(dash_duo.server.url + "/login")
            if query:  # the form with its error message
                dash_duo.find_element("#email").send_keys("nobody@acme.test")
                dash_duo.find_element("#password").send_keys("wrong")
                dash_duo.find_element("#login-submit").click()
                dash_duo.wait_for_element("#login-message", timeout=10)
            shown = dash_duo.driver.execute_script(
                "return document.documentElement.getAttribute('data-bs-theme')"
            )
            assert shown == theme, f"sign-in: asked for {theme}, shows {shown}"
            if violations := axe_violations(dash_duo.driver):
                found[f"sign-in{query} ({theme})"] = describe(violations)
    assert not found, "\n\n".join(f"{page}:\n{text}" for page, text in found.items())


def test_axe_finds_no_violation_with_a_dropdown_or_date_picker_open(signed_in):
    """The open states of Dash's dropdown and date picker, and of the charts' tables, in both
    themes."""
    duo = signed_in("analyst@acme.test", "/")
    found = {}
    for theme in ("light", "dark"):
        _set_theme(duo, theme)
        open_page(duo, "/", "#kpi-revenue-value", "overview")
        for summary in duo.driver.find_elements(  # the charts' "Show as table", open
            "css selector", ".chart-figure details:not([open]) summary"
        ):
            duo.driver.execute_script("arguments[0].click()", summary)
        wait_until(  # each table is built when it is first opened
            lambda: (
                len(duo.driver.find_elements("css selector", ".chart-table"))
                == len(
                    duo.driver.find_elements("css selector", ".chart-figure details")
                )
            ),
            timeout=10,
            message="a chart's table did not arrive when its details opened",
        )
        for name, opener, shown in (
            ("dropdown", "#overview-platforms", ".dash-dropdown-content"),
            ("date picker", "#overview-dates", ".dash-datepicker-content"),
        ):
            duo.find_element(opener).click()
            duo.wait_for_element(shown, timeout=5)
            if name == "dropdown":  # a choice changes the options' state attributes
                duo.find_element(f"{shown} input").click()
            if violations := axe_violations(duo.driver):
                found[f"overview, {name} open ({theme})"] = describe(violations)
            duo.find_element("body").send_keys(Keys.ESCAPE)
            wait_until(
                lambda shown=shown: not duo.driver.find_elements("css selector", shown),
                timeout=5,
            )
    assert not found, "\n\n".join(f"{page}:\n{text}" for page, text in found.items())


def test_axe_finds_no_violation_on_a_table_with_pages(signed_in):
    """The bulk organization's 60 campaigns: the table shows its pager (icon-only buttons)."""
    duo = signed_in("viewer@bulk.test", "/")
    found = {}
    for theme in ("light", "dark"):
        _set_theme(duo, theme)
        open_page(duo, "/campaigns?page=2", ".previous-next-container", "campaigns")
        if violations := axe_violations(duo.driver):
            found[f"campaigns, page 2 ({theme})"] = describe(violations)
    assert not found, "\n\n".join(f"{page}:\n{text}" for page, text in found.items())
