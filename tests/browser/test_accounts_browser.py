"""Accounts in a real browser: sign in through the form, see only what the role allows, invite a
user who joins through the e-mailed link and signs in, and a session that ends (sign-out,
revocation) really ends."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa
from selenium.webdriver.support.ui import Select

from data.db import make_engine
from data.models import User
from tests.browser.conftest import screenshot, texts, wait_until

# The links and the Admin menu's items (innerText reads them while the menu is closed).
NAV = "#shell-nav-links .nav-link, #shell-nav-links .dropdown-item"


def sign_in_through_form(duo, email: str, password: str) -> None:
    duo.driver.get(duo.server.url + "/login")
    duo.find_element("#email").send_keys(email)
    duo.find_element("#password").send_keys(password)
    duo.find_element("#login-submit").click()


def sign_out_through_menu(duo) -> None:
    """The user menu's "Sign out": a POST form carrying the session's CSRF token."""
    duo.wait_for_element("#shell-user .dropdown-toggle", timeout=10).click()
    duo.wait_for_element("#shell-logout", timeout=10)
    screenshot(duo, "user-menu")
    duo.find_element("#shell-logout").click()


def test_a_wrong_password_is_answered_on_the_form(dash_duo, browser_app):
    dash_duo.start_server(browser_app, navigate=False)
    sign_in_through_form(dash_duo, "viewer@acme.test", "not the password at all")
    dash_duo.wait_for_text_to_equal(
        "#login-message", "Wrong email or password.", timeout=10
    )
    assert "/login" in dash_duo.driver.current_url


def test_a_viewer_sees_no_admin_pages_and_is_refused_at_them(signed_in):
    duo = signed_in("viewer@acme.test")
    wait_until(lambda: "Overview" in texts(duo, NAV), message="navbar never filled")
    links = texts(duo, NAV)
    assert "Settings" not in links and "Audit log" not in links
    duo.driver.get(duo.server.url + "/settings")
    wait_until(
        lambda: "do not have access" in duo.driver.page_source, message="not refused"
    )
    assert "settings-users" not in duo.driver.page_source
    assert duo.find_element("#forbidden-home").get_attribute("href").endswith("/")
    screenshot(duo, "forbidden")


def test_an_admin_adds_a_user_who_then_signs_in(signed_in, browser_world, smtp_sink):
    """The admin invites; the invitee opens the link from the e-mail a real SMTP server
    received, chooses a password, and signs in."""
    duo = signed_in("admin@acme.test", "/settings")
    wait_until(lambda: "Settings" in texts(duo, NAV) and "Audit log" in texts(duo, NAV))
    duo.wait_for_element("#settings-users-table", timeout=15)
    email = f"browser-{uuid.uuid4().hex[:8]}@acme.test"
    duo.find_element("#settings-new-email").send_keys(email)
    duo.find_element("#settings-new-name").send_keys("Brenda Browser")
    Select(duo.find_element("#settings-new-role")).select_by_value("analyst")
    duo.find_element("#settings-invite").click()
    sent = f"Invitation sent to {email}. It is valid for 7 days."
    wait_until(lambda: sent in duo.find_element("#settings-invite-message").text)
    wait_until(lambda: email in duo.find_element("#settings-users-table").text)
    assert "Invited" in duo.find_element(".settings-invitation").text
    screenshot(duo, "settings")

    sign_out_through_menu(duo)
    duo.wait_for_text_to_equal("#login-message", "You are signed out.", timeout=10)
    mails = smtp_sink.to(email)
    assert len(mails) == 1, mails
    link = re.search(r"https?://\S+(/invite/[A-Za-z0-9_-]+)", mails[0].get_content())
    assert link, mails[0].get_content()
    duo.driver.get(duo.server.url + link.group(1))
    duo.wait_for_element("#invite-form", timeout=10)
    assert email in duo.find_element("#invite-email").text
    assert duo.find_element("#name").get_attribute("value") == "Brenda Browser"
    password = "brenda's own browser passphrase"
    duo.find_element("#password").send_keys(password)
    duo.find_element("#repeated").send_keys(password)
    screenshot(duo, "invitation")
    duo.find_element("#invite-submit").click()
    wait_until(
        lambda: "Your account is ready" in duo.find_element("#login-message").text
    )
    sign_in_through_form(duo, email, password)
    duo.wait_for_element("#_pages_content", timeout=15)
    wait_until(lambda: "Brenda Browser" in duo.find_element("#shell-user").text)
    assert "Settings" not in texts(duo, NAV)  # an analyst
    engine = make_engine(browser_world[0])
    with engine.begin() as conn:
        conn.execute(sa.delete(User).where(User.email == email))
    engine.dispose()


def test_the_audit_log_lists_the_organizations_events(signed_in):
    duo = signed_in("admin@acme.test", "/audit")
    duo.wait_for_element("#audit-log-table", timeout=15)
    wait_until(lambda: "Login succeeded" in duo.find_element("#audit-log-table").text)
    assert "@globex.test" not in duo.find_element("#audit-log-table").text
    assert "/export/audit.csv?start=" in duo.find_element(
        "#audit-export"
    ).get_attribute("href")
    screenshot(duo, "audit")


def test_signing_out_ends_the_session(signed_in):
    duo = signed_in("analyst@acme.test", "/profile")
    duo.wait_for_element("#profile-details dd", timeout=15)
    screenshot(duo, "profile")
    # Opening the address only asks (a link on another site must not sign anyone out).
    duo.driver.get(duo.server.url + "/logout")
    duo.wait_for_element("#logout-confirm", timeout=10)
    screenshot(duo, "logout")
    duo.find_element("#logout-confirm").click()
    duo.wait_for_text_to_equal("#login-message", "You are signed out.", timeout=10)
    duo.driver.get(duo.server.url + "/campaigns")
    wait_until(
        lambda: "/login?next=" in duo.driver.current_url, message="not sent to sign-in"
    )


def test_a_session_ended_elsewhere_sends_the_page_to_sign_in(signed_in, browser_world):
    duo = signed_in("viewer@globex.test", "/profile")
    duo.wait_for_element("#profile-details dd", timeout=15)
    engine = make_engine(browser_world[0])
    with engine.begin() as conn:  # what a sign-out on another device does
        conn.execute(
            sa.update(User)
            .where(User.email == "viewer@globex.test")
            .values(session_epoch=User.session_epoch + 1)
        )
    engine.dispose()
    duo.find_element("#shell-nav-overview").click()  # the next callback answers 401
    wait_until(lambda: "/login?next=" in duo.driver.current_url, message="page stayed")
    duo.wait_for_element("#login-submit", timeout=10)
