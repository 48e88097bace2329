"""The creatives library's limits and where its files live, read from the app's config once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024
GIB = 1024 * MIB


@dataclass(frozen=True)
class MediaSettings:
    """Limits (bytes, pixels, frames, seconds) and the media directory.

    ``max_bytes``: any upload (a video; Meta takes up to 4 GB); ``max_image_bytes``: an image
    (Meta's 30 MB); ``max_pixels``: decoded pixels of one frame (a 100 kB PNG can declare 50,000
    x 50,000); ``max_frame_pixels``: all frames of an animation together.
    """

    root: Path
    quota_bytes: int = 10 * GIB
    max_bytes: int = 4 * GIB
    max_image_bytes: int = 30 * MIB
    max_pixels: int = 40_000_000
    max_frames: int = 600
    max_frame_pixels: int = (
        100_000_000  # all frames are held while re-encoded: <= ~400 MB
    )
    max_video_seconds: float = 4 * 3600
    max_video_side: int = 8192
    probe_timeout_seconds: float = 30.0
    thumbnail_side: int = 320
    upload_ttl_seconds: int = 24 * 3600

    @classmethod
    def from_config(cls, config, instance_path: str | Path) -> MediaSettings:
        root = Path(config.get("KIKI_MEDIA_DIR") or Path(instance_path) / "media")
        return cls(
            root=root,
            quota_bytes=int(config.get("KIKI_MEDIA_QUOTA_BYTES", cls.quota_bytes)),
            max_bytes=int(config.get("KIKI_MEDIA_MAX_BYTES", cls.max_bytes)),
        )


EXTENSION = "kiki_media"


def init_app(app) -> None:
    """Read the settings once and make sure the media directory exists (owner only)."""
    settings = MediaSettings.from_config(app.config, app.instance_path)
    settings.root.mkdir(parents=True, exist_ok=True, mode=0o700)
    app.extensions[EXTENSION] = settings


def current_settings() -> MediaSettings:
    """The running app's settings (init_app)."""
    from flask import current_app

    return current_app.extensions[EXTENSION]
