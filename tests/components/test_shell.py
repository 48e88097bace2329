"""The navbar: links by role, and the one section a path belongs to is active."""

from __future__ import annotations

from components.shell import nav_links

PAGES = [
    {
        "path": "/",
        "name": "Overview",
        "nav": True,
        "min_role": "viewer",
        "id_prefix": "overview-",
    },
    {
        "path": "/campaigns",
        "name": "Campaigns",
        "nav": True,
        "min_role": "viewer",
        "id_prefix": "campaigns-",
    },
    {
        "path": "/settings",
        "name": "Settings",
        "nav": True,
        "min_role": "admin",
        "id_prefix": "settings-",
    },
    {
        "path": "/settings/organization",
        "name": "Organization",
        "nav": True,
        "min_role": "admin",
        "id_prefix": "org-",
    },
    {
        "path": "/profile",
        "name": "Profile",
        "nav": False,
        "min_role": "viewer",
        "id_prefix": "profile-",
    },
]


def _active(role: str, path: str) -> list[str]:
    return [
        link.children.children
        for link in nav_links(PAGES, role, path)
        if link.children.active
    ]


def test_viewer_sees_only_viewer_pages():
    names = [link.children.children for link in nav_links(PAGES, "viewer", "/")]
    assert names == ["Overview", "Campaigns"]


def test_exactly_one_section_is_active():
    assert _active("admin", "/") == ["Overview"]
    assert _active("admin", "/campaigns/12") == ["Campaigns"]
    assert _active("admin", "/settings/organization") == ["Organization"]
    assert _active("admin", "/settings") == ["Settings"]
    assert _active("admin", "/campaignsfoo") == []


GROUPED = [
    {**page, "nav_group": "Admin"} if page["min_role"] == "admin" else page
    for page in PAGES
]


def test_grouped_pages_are_one_menu_where_the_first_would_stand():
    links = nav_links(GROUPED, "admin", "/settings/organization")
    assert [type(link).__name__ for link in links] == [
        "NavItem",
        "NavItem",
        "DropdownMenu",
    ]
    menu = links[2]
    assert menu.label == "Admin" and menu.toggleClassName == "active"
    assert [(item.children, item.active) for item in menu.children] == [
        ("Settings", False),
        ("Organization", True),
    ]
    assert [item.id for item in menu.children] == [
        "shell-nav-settings",
        "shell-nav-org",
    ]


def test_a_menu_without_its_page_open_is_not_active_and_viewers_get_none():
    assert nav_links(GROUPED, "admin", "/")[2].toggleClassName is None
    assert len(nav_links(GROUPED, "viewer", "/")) == 2
