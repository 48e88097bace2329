"""The app shell: navbar from Dash's page registry, theme toggle, user menu, page container."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from data.scope import ROLE_RANK

NAV_ID = "shell-nav-links"
USER_ID = "shell-user"
THEME_SWITCH_ID = "shell-theme-switch"
THEME_STORE_ID = "shell-theme"


def nav_links(pages, role: str, current_path: str) -> list:
    """Links to the registry's navigable pages that ``role`` may open."""
    links = []
    for page in pages:
        if (
            not page.get("nav", False)
            or ROLE_RANK.get(role, 0) < ROLE_RANK[page.get("min_role", "viewer")]
        ):
            continue
        active = current_path == page["path"] or (
            page["path"] != "/" and current_path.startswith(page["path"])
        )
        links.append(
            dbc.NavItem(
                dbc.NavLink(
                    page["name"],
                    href=page["path"],
                    active=active,
                    id=f"shell-nav-{page['id_prefix'].rstrip('-')}",
                )
            )
        )
    return links


def user_menu(name: str, role: str, organization: str) -> dbc.DropdownMenu:
    return dbc.DropdownMenu(
        [
            dbc.DropdownMenuItem(f"{organization} · {role}", header=True),
            dbc.DropdownMenuItem("Profile", href="/profile"),
            dbc.DropdownMenuItem(divider=True),
            dbc.DropdownMenuItem(
                "Sign out", href="/logout", external_link=True, id="shell-logout"
            ),
        ],
        label=name,
        align_end=True,
        nav=True,
        in_navbar=True,
    )


def app_shell() -> html.Div:
    """Static skeleton: the navbar's links and user menu arrive through a callback."""
    navbar = dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(
                    [html.Span("K", className="brand-mark me-2"), "KIKI Analytics"],
                    href="/",
                ),
                dbc.NavbarToggler(id="shell-nav-toggle"),
                dbc.Collapse(
                    [
                        dbc.Nav(id=NAV_ID, navbar=True, className="me-auto"),
                        dbc.Nav(
                            [
                                dbc.NavItem(
                                    dbc.Switch(
                                        id=THEME_SWITCH_ID,
                                        label="Dark",
                                        value=False,
                                        className="theme-switch mt-2 me-3",
                                    )
                                ),
                                html.Div(id=USER_ID),
                            ],
                            navbar=True,
                            className="align-items-lg-center",
                        ),
                    ],
                    id="shell-nav-collapse",
                    navbar=True,
                ),
            ],
            fluid=True,
        ),
        color="primary",
        dark=True,
        className="shell-navbar",
    )
    return html.Div(
        [
            dcc.Store(id=THEME_STORE_ID, storage_type="local"),
            navbar,
            dbc.Container(dash.page_container, fluid=True, className="py-3 page-body"),
        ]
    )
