"""Data shown inside markdown cells as text only: every markdown character escaped, links built here.

DataTable's markdown (remarkable, CommonMark escapes) treats a backslash before any ASCII
punctuation as that character, literally; escaping all of them leaves nothing in a value that
can open a link, an image, an autolink, an entity, emphasis or HTML, whatever the value holds.
"""

from __future__ import annotations

import re
import string
from urllib.parse import quote

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_BREAKS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def markdown_text(value: object) -> str:
    """``value`` as markdown that renders as exactly its text, on one line."""
    return _PUNCTUATION.sub(r"\\\1", _BREAKS.sub(" ", str(value)))


def markdown_link(text: object, path: str, query: str = "") -> str:
    """A markdown link to a path on this site, its text escaped (``markdown_text``).

    ``path`` must start with one "/" (never "//": another host); it and ``query`` are
    percent-encoded so that neither can close the link's target."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"not a path on this site: {path!r}")
    target = quote(path, safe="/-_.~")
    if query:
        target += "?" + quote(query, safe="=&-_.~%+")
    return f"[{markdown_text(text)}]({target})"
