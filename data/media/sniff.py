"""What a file is, from its content (libmagic), against the allow-list; names and declared types are never trusted."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from data.media.errors import Refused


@dataclass(frozen=True)
class Format:
    kind: str  # "image" or "video"
    content_type: str  # what the file is served as
    extension: str
    pillow: str | None = None  # Pillow's format name (images)
    containers: tuple[str, ...] = ()  # ffprobe's format_name parts (videos)


ALLOWED = {
    "image/jpeg": Format("image", "image/jpeg", "jpg", pillow="JPEG"),
    "image/png": Format("image", "image/png", "png", pillow="PNG"),
    "image/webp": Format("image", "image/webp", "webp", pillow="WEBP"),
    "image/gif": Format("image", "image/gif", "gif", pillow="GIF"),
    "video/mp4": Format("video", "video/mp4", "mp4", containers=("mp4", "mov")),
    "video/x-m4v": Format("video", "video/mp4", "mp4", containers=("mp4", "mov")),
    "video/quicktime": Format(
        "video", "video/quicktime", "mov", containers=("mov", "mp4")
    ),
    "video/webm": Format("video", "video/webm", "webm", containers=("webm",)),
}
ACCEPTED_NAMES = "JPEG, PNG, WebP, GIF, MP4, MOV or WebM"
# Refusals worth their own words (everything else: "not one of ...").
NAMED_REFUSALS = {
    "image/svg+xml": "SVG is not accepted as a creative (no ad platform takes it, and it can "
    "carry scripts): export it as PNG.",
    "text/html": "This file is HTML, not an image or a video.",
    "text/xml": "This file is XML, not an image or a video.",
    "application/zip": "This file is a ZIP archive: upload the images or videos inside it "
    "one by one.",
    "application/x-executable": "This file is a program, not an image or a video.",
    "application/x-sharedlib": "This file is a program, not an image or a video.",
    "application/x-pie-executable": "This file is a program, not an image or a video.",
    "application/x-dosexec": "This file is a program, not an image or a video.",
    "application/vnd.microsoft.portable-executable": "This file is a program, not an "
    "image or a video.",
}

_lock = threading.Lock()  # a libmagic handle is not safe across threads
_magic: list = []


def sniff(path: Path) -> Format:
    """The accepted format of the file at ``path``, or Refused (415) naming what it is."""
    with _lock:
        if not _magic:
            # Loaded on first use: python-magic opens libmagic (Debian's libmagic1) when imported.
            import magic

            _magic.append(magic.Magic(mime=True))
        mime = _magic[0].from_file(str(path))
    found = ALLOWED.get(mime)
    if found is not None:
        return found
    if path.stat().st_size == 0:
        raise Refused("The file is empty.", 422)
    message = NAMED_REFUSALS.get(mime) or (
        f"This file is not a {ACCEPTED_NAMES} file (its content reads as {mime})."
    )
    raise Refused(message, 415)
