"""The HTML document around Dash's app: its language and the theme the browser last chose."""

from __future__ import annotations

import dash

from components.shell import saved_theme

LANGUAGE = "en"


def init_dash(app: dash.Dash) -> None:
    """<html lang> (WCAG 3.1.1: screen readers pick their voice from it; Dash's default index
    has none) and the saved theme on <html> from the first paint, so a dark-theme user is not
    shown a white page until the shell's theme callback runs."""
    app.index_string = app.index_string.replace(
        "<html>", f'<html lang="{LANGUAGE}">', 1
    )
    interpolate = app.interpolate_index

    def interpolate_index(**parts):
        page = interpolate(**parts)
        theme = saved_theme() or "light"
        return page.replace(
            f'<html lang="{LANGUAGE}">',
            f'<html lang="{LANGUAGE}" data-bs-theme="{theme}">',
            1,
        )

    app.interpolate_index = interpolate_index
