"""Names in markdown cells render as their text: no link, image, HTML or emphasis from data."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from components.campaign_table import campaign_rows
from components.markdown_text import markdown_link, markdown_text
from tests.auth import dash_calls

HOSTILE = [
    "Spring](https://evil.example) [x",
    "[click](https://evil.example)",
    "![pixel](https://evil.example/p.png)",
    "<https://evil.example>",
    "<a href='https://evil.example'>x</a>",
    "Sale \\",
    "Sale \\](https://evil.example)",
    "[a][ref]\n\n[ref]: https://evil.example",
    "*bold* _it_ `code` ~~s~~ &amp; &#x41;",
    "https://evil.example",
    "javascript:alert(1)",
    "a\nb\r\n\n[x](https://evil.example)",
]
MD = MarkdownIt("commonmark", {"html": False})


def links(markdown: str) -> list[tuple[str, str]]:
    """(href, text) of every link and image the markdown renders, and the plain text."""
    found = []
    for block in MD.parse(markdown):
        children = block.children or []
        for i, token in enumerate(children):
            if token.type in ("link_open", "image"):
                text = "".join(c.content for c in children[i + 1 :] if c.type == "text")
                found.append((token.attrGet("href") or token.attrGet("src"), text))
    return found


def rendered_text(markdown: str) -> str:
    return "".join(
        child.content
        for block in MD.parse(markdown)
        for child in block.children or []
        if child.type == "text"
    )


@pytest.mark.parametrize("name", HOSTILE)
def test_campaign_name_is_one_link_to_its_page(name):
    frame = pd.DataFrame(
        [
            {
                "campaign_id": 7,
                "name": name,
                "status": "active",
                "platforms": "Meta",
                **dict.fromkeys(
                    [
                        "spend",
                        "revenue",
                        "roas",
                        "conversions",
                        "cpa",
                        "ctr",
                        "budget_daily",
                    ],
                    1.0,
                ),
            }
        ]
    )
    cell = campaign_rows(frame, "start=2026-10-01&end=2026-10-31")[0]["name"]
    found = links(cell)
    assert [href for href, _ in found] == [
        "/campaigns/7?start=2026-10-01&end=2026-10-31"
    ], cell
    assert "<" not in MD.render(cell).replace("<p>", "").replace("</p>", "").replace(
        '<a href="/campaigns/7?start=2026-10-01&amp;end=2026-10-31">', ""
    ).replace("</a>", ""), cell  # no other element (no image, emphasis or HTML)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=60))
def test_markdown_text_renders_exactly_its_text(value):
    markdown = markdown_text(value)
    assert links(markdown) == []
    # Leading and trailing blanks fold as in any paragraph; the rest is the value itself.
    assert rendered_text(markdown).strip() == value.strip()


def test_markdown_link_stays_on_this_site():
    assert markdown_link("x", "/campaigns/1", "a=(b)") == r"[x](/campaigns/1?a=%28b%29)"
    for path in ("//evil.example/x", "https://evil.example", "javascript:x"):
        with pytest.raises(ValueError):
            markdown_link("x", path)


def test_only_the_escaped_name_column_is_markdown(app, world, client_for):
    """Every DataTable of every page, as the router renders it for an admin: the one markdown
    column is the escaped name (a new markdown cell built from data must escape it too)."""
    pages = dash_calls.rendered_pages(app, client_for("acme", "admin"), world)
    found = sorted(
        {
            (props["id"], column["id"])
            for layout in pages.values()
            for props in dash_calls.components(layout)
            for column in props.get("columns") or []
            if isinstance(column, dict) and column.get("presentation") == "markdown"
        }
    )
    assert found == [("campaigns-table", "name")]
