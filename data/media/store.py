"""Content-addressed storage per organization: ``<root>/<org>/<sha256[:2]>/<sha256>``.

A file is written once (the same bytes are the same path) by renaming a finished file into
place, on the same filesystem as the upload's temporary files (``<root>/<org>/.incoming/``),
so a reader never sees half a file and a failure leaves nothing at the final path.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from data.media import images, videos
from data.media.errors import Refused
from data.media.settings import MediaSettings
from data.media.sniff import sniff

BLOCK = 1024 * 1024
INCOMING = ".incoming"


@dataclass(frozen=True)
class StoredFile:
    """A validated file at its final place; paths are relative to the media root."""

    kind: str
    content_type: str
    extension: str
    sha256: str
    size_bytes: int
    storage_path: str
    thumbnail_path: str | None
    width: int
    height: int
    duration_seconds: float | None = None
    video_codec: str | None = None


def org_dir(settings: MediaSettings, organization_id: int) -> Path:
    return settings.root / str(int(organization_id))


def incoming_dir(settings: MediaSettings, organization_id: int) -> Path:
    path = org_dir(settings, organization_id) / INCOMING
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def content_path(organization_id: int, sha256: str) -> str:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256")
    return f"{int(organization_id)}/{sha256[:2]}/{sha256}"


def absolute(settings: MediaSettings, relative: str) -> Path:
    """The file of a stored path, never outside the root (a stored path is ours, but still)."""
    root = settings.root.resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError("outside the media directory")
    return path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


def store_upload(
    received: Path, upload_sha256: str, organization_id: int, settings: MediaSettings
) -> StoredFile:
    """Validate ``received`` (sniff, decode or probe) and move its clean copy into place.

    ``received`` is consumed: moved into place or removed, whatever happens; so is every
    intermediate file. Raises Refused with the reason when the file is not accepted.
    """
    work = Path(tempfile.mkdtemp(dir=incoming_dir(settings, organization_id)))
    try:
        return _store(received, upload_sha256, organization_id, settings, work)
    finally:
        received.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)


def _store(received, upload_sha256, organization_id, settings, work) -> StoredFile:
    fmt = sniff(received)
    size = received.stat().st_size
    if fmt.kind == "image":
        if size > settings.max_image_bytes:
            raise Refused(
                f"An image may be at most {settings.max_image_bytes // (1024 * 1024)} MB.",
                413,
            )
        clean = work / "clean"
        facts = images.sanitise_image(received, clean, fmt, settings)
        sha256 = file_sha256(clean)
        width, height, duration, codec = facts.width, facts.height, None, None
    else:
        video = videos.probe_video(received, fmt, settings)
        clean, sha256 = received, upload_sha256
        width, height = video.width, video.height
        duration, codec = video.duration_seconds, video.codec
    relative = content_path(organization_id, sha256)
    final = settings.root / relative
    final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    thumb_relative = relative + ".thumb.webp"
    thumb_final = settings.root / thumb_relative
    if not thumb_final.exists():
        thumb_relative = (
            thumb_relative
            if _thumbnail(clean, fmt.kind, duration, work, settings)
            else None
        )
        if thumb_relative:
            os.replace(work / "thumb.webp", thumb_final)
    stored_size = clean.stat().st_size
    if final.exists():
        clean.unlink(missing_ok=True)  # the same bytes are already here
    else:
        os.chmod(clean, 0o600)
        os.replace(clean, final)
    return StoredFile(
        kind=fmt.kind,
        content_type=fmt.content_type,
        extension=fmt.extension,
        sha256=sha256,
        size_bytes=stored_size,
        storage_path=relative,
        thumbnail_path=thumb_relative,
        width=width,
        height=height,
        duration_seconds=duration,
        video_codec=codec,
    )


def _thumbnail(clean: Path, kind: str, duration, work: Path, settings) -> bool:
    target = work / "thumb.webp"
    try:
        if kind == "image":
            images.thumbnail(clean, target, settings.thumbnail_side)
            return True
        frame = work / "poster.png"
        if not videos.poster(clean, frame, duration or 0.0, settings):
            return False
        images.thumbnail(frame, target, settings.thumbnail_side)
        return True
    except OSError:
        target.unlink(missing_ok=True)
        return False


def remove_files(settings: MediaSettings, relatives: list[str]) -> None:
    """Delete stored files (the caller checked that no record points at them any more)."""
    for relative in relatives:
        try:
            absolute(settings, relative).unlink(missing_ok=True)
        except ValueError:
            continue
