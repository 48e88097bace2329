"""The app shell: navbar from Dash's page registry, theme toggle, user menu, page container."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask import has_request_context, request

from data.scope import ROLE_RANK

NAV_ID = "shell-nav-links"
USER_ID = "shell-user"
BELL_ID = "shell-bell"
UNREAD_ID = "notifications-unread"  # the bell's count (browser tests read it)
THEME_SWITCH_ID = "shell-theme-switch"
THEME_STORE_ID = "shell-theme"
LOCATION_CHECK_ID = "shell-location-check"  # written by the shell's location check
# The theme the browser last showed, mirrored from the theme store (local storage) into a cookie
# by the shell's theme callback (shell/callbacks.py), so that a layout can be drawn in it at once.
THEME_COOKIE = "kiki_theme"
THEMES = ("light", "dark")
MAIN_ID = "main-content"  # the skip link's target
# Written by assets/live.js from /live/events (web/live.py), at most once a second: the id of the
# organization's last event that changed what pages show (metrics or campaigns), notifications,
# alerts; and whether the stream is "open" (pages' timed refresh off) or "down" (on).
LIVE_DATA_ID = "shell-live-data"
LIVE_NOTIFICATIONS_ID = "shell-live-notifications"
LIVE_ALERTS_ID = "shell-live-alerts"
LIVE_STATUS_ID = "shell-live-status"
LIVE_STORE_IDS = (LIVE_DATA_ID, LIVE_NOTIFICATIONS_ID, LIVE_ALERTS_ID, LIVE_STATUS_ID)


def saved_theme() -> str | None:
    """'light' or 'dark' as the browser's theme cookie says; None when it says nothing valid."""
    if not has_request_context():
        return None
    theme = request.cookies.get(THEME_COOKIE)
    return theme if theme in THEMES else None


def _section(path: str, pages) -> str | None:
    """The navigable page whose path is the longest prefix of ``path`` (the section it is in)."""
    owners = [
        page["path"]
        for page in pages
        if page["path"] == path
        or (page["path"] != "/" and path.startswith(page["path"].rstrip("/") + "/"))
    ]
    return max(owners, key=len) if owners else None


def nav_links(
    pages, role: str, current_path: str, counts: dict[str, int] | None = None
) -> list:
    """Links to the registry's navigable pages that ``role`` may open; its section is active.
    ``counts``: a number to show beside a page's link (by path), such as pending approvals.
    Pages with a ``nav_group`` are items of one menu of that name."""
    counts = counts or {}
    visible = [
        page
        for page in pages
        if page.get("nav", False)
        and ROLE_RANK.get(role, 0) >= ROLE_RANK[page.get("min_role", "viewer")]
    ]
    section = _section(current_path, visible)
    links, groups = [], {}
    for page in visible:
        link_id = f"shell-nav-{page['id_prefix'].rstrip('-')}"
        label = _with_count(page["name"], counts.get(page["path"]))
        active = page["path"] == section
        group = page.get("nav_group")
        if group is None:
            links.append(
                dbc.NavItem(
                    dbc.NavLink(label, href=page["path"], active=active, id=link_id)
                )
            )
            continue
        if group not in groups:  # the menu stands where its first page would
            groups[group] = []
            links.append(group)
        groups[group].append(
            dbc.DropdownMenuItem(label, href=page["path"], active=active, id=link_id)
        )
    return [
        _group_menu(link, groups[link]) if isinstance(link, str) else link
        for link in links
    ]


def _group_menu(name: str, items: list) -> dbc.DropdownMenu:
    """Pages registered with ``nav_group=name`` (the admin pages) as one menu of the navbar,
    so the bar fits one line at 1,400 px; it reads active when one of its pages is."""
    active = any(item.active for item in items)
    slug = name.lower().replace(" ", "-")
    return dbc.DropdownMenu(
        items,
        label=name,
        nav=True,
        in_navbar=True,
        id=f"shell-nav-group-{slug}",
        toggleClassName="active" if active else None,  # underlined as the active link
    )


def _with_count(name: str, count: int | None):
    if not count:
        return name
    return [
        name,
        dbc.Badge(
            [str(count), html.Span(" waiting", className="visually-hidden")],
            color="light",
            text_color="dark",
            pill=True,
            className="ms-1",
        ),
    ]


def notification_bell(unread: int) -> dbc.NavLink:
    """A link to /notifications with the unread count (``notifications-unread``)."""
    words = f"Notifications, {unread} unread"
    return dbc.NavLink(
        [
            html.Span(className="bell-icon", **{"aria-hidden": "true"}),
            html.Span(words, className="visually-hidden"),
            html.Span(  # the count is in the words above for screen readers
                dbc.Badge(
                    str(unread),
                    id=UNREAD_ID,
                    color="light" if unread else "secondary",
                    text_color="dark" if unread else None,
                    pill=True,
                    className="ms-1",
                ),
                **{"aria-hidden": "true"},
            ),
        ],
        href="/notifications",
        id="shell-bell-link",
        className="me-2",
    )


def sign_out_form(csrf_token: str) -> html.Form:
    """Signing out is a POST with the session's CSRF token: a link to it on another site (or an
    <img>) cannot sign anyone out."""
    return html.Form(
        [
            dcc.Input(type="hidden", name="csrf_token", value=csrf_token),
            html.Button(
                "Sign out", type="submit", className="dropdown-item", id="shell-logout"
            ),
        ],
        action="/logout",
        method="POST",
    )


def user_menu(
    name: str, role: str, organization: str, csrf_token: str
) -> dbc.DropdownMenu:
    return dbc.DropdownMenu(
        [
            dbc.DropdownMenuItem(f"{organization} · {role}", header=True),
            dbc.DropdownMenuItem("Profile", href="/profile"),
            dbc.DropdownMenuItem(divider=True),
            sign_out_form(csrf_token),
        ],
        label=name,
        align_end=True,
        nav=True,
        in_navbar=True,
    )


def app_shell(page_container=None) -> html.Div:
    """The skeleton around ``page_container`` (Dash's, empty, by default): the navbar's links and
    user menu arrive through a callback (shell/page_container.py fills the container)."""
    navbar = dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(
                    [html.Span("K", className="brand-mark me-2"), "KIKI Analytics"],
                    href="/",
                ),
                # Outside the collapse, so a phone shows the unread count without opening the
                # menu; last on wide screens (after the user menu).
                dbc.Nav(
                    dbc.NavItem(id=BELL_ID),
                    navbar=True,
                    className="order-lg-last ms-auto ms-lg-2 me-2 me-lg-0 shell-bell-nav",
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
            # The theme the pages' first figures were drawn in: when it matches what the Store
            # holds in local storage, the Store changes nothing as it mounts, and no callback
            # draws them again. data=None, not left out, when unknown: a Store without data sets
            # data=null when it mounts (null is not undefined), a change that fired the
            # overview's callback a round after the others.
            dcc.Store(id=THEME_STORE_ID, storage_type="local", data=saved_theme()),
            dcc.Store(id=LOCATION_CHECK_ID),
            *(dcc.Store(id=store_id) for store_id in LIVE_STORE_IDS),
            # The first thing a keyboard reaches: past the navbar to the page (WCAG 2.4.1).
            html.A(
                "Skip to content",
                href=f"#{MAIN_ID}",
                className="skip-link visually-hidden-focusable",
                id="shell-skip-link",
            ),
            navbar,
            html.Main(
                dbc.Container(
                    page_container or dash.page_container,
                    fluid=True,
                    className="py-3 page-body",
                ),
                id=MAIN_ID,
                tabIndex="-1",  # focusable by the skip link, not by Tab
            ),
        ]
    )
