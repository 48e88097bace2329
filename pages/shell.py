"""Callbacks of the app shell (navbar links by role, user menu, theme); registered by the factory."""

from __future__ import annotations

import dash
from dash import Input, Output, State
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from components.shell import (
    NAV_ID,
    THEME_STORE_ID,
    THEME_SWITCH_ID,
    USER_ID,
    nav_links,
    user_menu,
)


def register_callbacks(app: dash.Dash) -> None:
    @app.callback(
        Output(NAV_ID, "children"),
        Output(USER_ID, "children"),
        Input("_pages_location", "pathname"),
    )
    def update_shell_navigation(pathname):
        user = current_user
        links = nav_links(dash.page_registry.values(), user.role, pathname or "/")
        menu = user_menu(user.name, user.role, user.organization_name, generate_csrf())
        return links, menu

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
        function(_ts, stored) {
            const isDark = stored === 'dark';
            document.documentElement.setAttribute('data-bs-theme', isDark ? 'dark' : 'light');
            return isDark;
        }
        """,
        Output(THEME_SWITCH_ID, "value"),
        Input(THEME_STORE_ID, "modified_timestamp"),
        State(THEME_STORE_ID, "data"),
    )
    app.clientside_callback(
        "function(clicks, isOpen) { return clicks ? !isOpen : isOpen; }",
        Output("shell-nav-collapse", "is_open"),
        Input("shell-nav-toggle", "n_clicks"),
        State("shell-nav-collapse", "is_open"),
        prevent_initial_call=True,
    )
