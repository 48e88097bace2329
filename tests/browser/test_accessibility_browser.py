"""axe-core finds no violation (all default rules, best practices included) on every page, in
both themes, for every role that can open it; the sign-in form too."""

from __future__ import annotations

import pytest

from tests.browser.a11y import axe_violations, describe, open_page, pages_for
from tests.browser.conftest import free_port


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
