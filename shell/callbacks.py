"""Callbacks of the app shell (navbar links by role, user menu, theme); registered by the factory."""

from __future__ import annotations

import dash
from dash import Input, Output, State
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from components.labels import role_label
from components.shell import (
    BELL_ID,
    LIVE_NOTIFICATIONS_ID,
    LOCATION_CHECK_ID,
    NAV_ID,
    THEME_COOKIE,
    THEME_STORE_ID,
    THEME_SWITCH_ID,
    USER_ID,
    nav_links,
    notification_bell,
    user_menu,
)
from data.db import read_session
from data.reads.approvals import pending_count
from data.reads.notifications import unread_count
from shell.charts import register_chart_text
from shell.dash_internals import LOCATION_ID


def register_callbacks(app: dash.Dash) -> None:
    register_chart_text(app)

    @app.callback(
        Output(NAV_ID, "children"),
        Output(USER_ID, "children"),
        Output(BELL_ID, "children"),
        Input(LOCATION_ID, "pathname"),
    )
    def update_shell_navigation(pathname):
        """Links by role (with the pending approvals for admins), user menu, unread count: read
        again on every navigation, so a reload shows what other users did meanwhile."""
        user, session = current_user, read_session()
        scope = user.scope
        counts = {"/approvals": pending_count(session, scope)}
        # The envelope check (web/malformed.py) lets only a path or nothing through.
        links = nav_links(
            dash.page_registry.values(), user.role, pathname or "/", counts
        )
        role = role_label(user.role)  # "Analyst", as the settings page writes it
        menu = user_menu(user.name, role, user.organization_name, generate_csrf())
        return links, menu, notification_bell(unread_count(session, scope))

    @app.callback(
        Output(BELL_ID, "children", allow_duplicate=True),
        Input(LIVE_NOTIFICATIONS_ID, "data"),
        prevent_initial_call=True,
    )
    def update_shell_bell(_live):
        """The unread count again when the organization's notifications changed (a live event):
        the count is the signed-in user's own, read through the scoped data function."""
        return notification_bell(unread_count(read_session(), current_user.scope))

    app.clientside_callback(
        """
        function(isDark, stored) {
            const theme = isDark ? 'dark' : 'light';
            document.documentElement.setAttribute('data-bs-theme', theme);
            return theme === stored ? window.dash_clientside.no_update : theme;
        }
        """,
        Output(THEME_STORE_ID, "data"),
        Input(THEME_SWITCH_ID, "value"),
        State(THEME_STORE_ID, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        """
        function(_ts, stored, shown) {
            const isDark = stored === 'dark';
            const theme = isDark ? 'dark' : 'light';
            document.documentElement.setAttribute('data-bs-theme', theme);
            if (stored === 'dark' || stored === 'light') {
                const secure = window.location.protocol === 'https:' ? '; Secure' : '';
                document.cookie = 'THEME_COOKIE=' + theme + '; Path=/; Max-Age=31536000; SameSite=Lax' + secure;
            }
            return isDark === shown ? window.dash_clientside.no_update : isDark;
        }
        """.replace("THEME_COOKIE", THEME_COOKIE),
        Output(THEME_SWITCH_ID, "value"),
        Input(THEME_STORE_ID, "modified_timestamp"),
        State(THEME_STORE_ID, "data"),
        State(THEME_SWITCH_ID, "value"),
    )
    # The page came with the layout for the address in the Referer (shell/page_container.py).
    # A browser that trimmed the Referer to its origin was given the wrong page: have Dash's
    # location read the browser's address again (the event it listens to after pushState), which
    # runs the router for the right page. Its output is a store of its own: an output on the
    # location's pathname would keep the callbacks that read it from their first call.
    app.clientside_callback(
        """
        function(_href, pathname, search) {
            const here = window.location;
            const given = pathname !== null && pathname !== undefined;
            if (given && (here.pathname !== pathname || here.search !== (search || ''))) {
                setTimeout(() => window.dispatchEvent(new CustomEvent('_dashprivate_pushstate')));
            }
            return window.dash_clientside.no_update;
        }
        """,
        Output(LOCATION_CHECK_ID, "data"),
        Input(LOCATION_ID, "href"),
        State(LOCATION_ID, "pathname"),
        State(LOCATION_ID, "search"),
    )
    app.clientside_callback(
        "function(clicks, isOpen) { return clicks ? !isOpen : isOpen; }",
        Output("shell-nav-collapse", "is_open"),
        Input("shell-nav-toggle", "n_clicks"),
        State("shell-nav-collapse", "is_open"),
        prevent_initial_call=True,
    )
