"""Each ad platform's creative specs, as data, and the check of a creative against them.

Numbers as the platforms published them (read December 2026; they change, so they live here
only, listed in docs/CREATIVES.md):
- Meta: the Meta Ads Guide, feed/stories/reels placements (facebook.com/business/ads-guide):
  images JPG/PNG up to 30 MB, at least 600 px wide, 9:16 to 1.91:1; videos MP4/MOV up to
  4 GB, 1 s to 241 min, at least 120 px wide, 9:16 to 16:9; primary text 125, headline 40
  characters.
- Google: Google Ads Help "About responsive display ads" and "Performance Max asset specs"
  (support.google.com/google-ads/answer/7031480, /13676244): images JPG/PNG/GIF up to 5,120 KB,
  1.91:1 (at least 600x314), 1:1 (300x300) or 4:5 (480x600); videos 10 s or longer in 16:9,
  1:1 or 9:16; headline 30, description 90 characters.
- TikTok: TikTok Ads Manager "Auction In-Feed Ads" specs (ads.tiktok.com/help/article/
  tiktok-auction-in-feed-ads): videos MP4/MOV/WebM up to 500 MB, 5 to 60 s, 9:16, 1:1 or 16:9,
  at least 540x960, 640x640 or 960x540; images (Pangle placements) 1.91:1, 1:1 or 9:16 at
  least 640 px on the shorter side; ad text 100 characters (TikTok ads have no headline).
"""

from __future__ import annotations

from dataclasses import dataclass, field

RATIO_TOLERANCE = 0.02  # 2 %: 1080x1350 is 4:5, 1079x1350 still is


@dataclass(frozen=True)
class MediaSpec:
    formats: tuple[str, ...]  # content types
    max_bytes: int
    ratios: tuple[
        tuple[str, float, float], ...
    ]  # (label, lowest, highest width/height)
    min_width: int = 0
    min_short_side: int = 0
    min_seconds: float | None = None
    max_seconds: float | None = None


@dataclass(frozen=True)
class PlatformSpec:
    name: str
    image: MediaSpec | None
    video: MediaSpec | None
    text: dict[str, int] = field(default_factory=dict)  # field -> max characters


def _exact(label: str, ratio: float) -> tuple[str, float, float]:
    return (label, ratio * (1 - RATIO_TOLERANCE), ratio * (1 + RATIO_TOLERANCE))


MB = 1024 * 1024
SPECS = {
    "meta": PlatformSpec(
        "Meta",
        image=MediaSpec(
            ("image/jpeg", "image/png"),
            30 * MB,
            (("9:16 to 1.91:1", 9 / 16 * 0.98, 1.91 * 1.02),),
            min_width=600,
        ),
        video=MediaSpec(
            ("video/mp4", "video/quicktime"),
            4 * 1024 * MB,
            (("9:16 to 16:9", 9 / 16 * 0.98, 16 / 9 * 1.02),),
            min_width=120,
            min_seconds=1,
            max_seconds=241 * 60,
        ),
        text={"headline": 40, "body": 125},
    ),
    "google": PlatformSpec(
        "Google",
        image=MediaSpec(
            ("image/jpeg", "image/png", "image/gif"),
            5120 * 1024,
            (_exact("1.91:1", 1.91), _exact("1:1", 1.0), _exact("4:5", 0.8)),
            min_short_side=300,
        ),
        video=MediaSpec(
            ("video/mp4", "video/quicktime", "video/webm"),
            4 * 1024 * MB,
            (_exact("16:9", 16 / 9), _exact("1:1", 1.0), _exact("9:16", 9 / 16)),
            min_seconds=10,
        ),
        text={"headline": 30, "body": 90},
    ),
    "tiktok": PlatformSpec(
        "TikTok",
        image=MediaSpec(
            ("image/jpeg", "image/png"),
            100 * MB,
            (_exact("1.91:1", 1.91), _exact("1:1", 1.0), _exact("9:16", 9 / 16)),
            min_short_side=640,
        ),
        video=MediaSpec(
            ("video/mp4", "video/quicktime", "video/webm"),
            500 * MB,
            (_exact("9:16", 9 / 16), _exact("1:1", 1.0), _exact("16:9", 16 / 9)),
            min_short_side=540,
            min_seconds=5,
            max_seconds=60,
        ),
        text={"body": 100},
    ),
}
TEXT_LABELS = {"headline": "headline", "body": "text"}


@dataclass(frozen=True)
class Creative:
    """What the checks read of a creative (a row of user_assets)."""

    kind: str
    content_type: str = ""
    size_bytes: int = 0
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    headline: str | None = None
    body: str | None = None


def problems(creative: Creative, platform: str) -> list[str]:
    """Why ``creative`` does not meet ``platform``'s spec; empty when it does."""
    spec = SPECS[platform]
    if creative.kind == "copy":
        return _text_problems(creative, spec)
    media = spec.image if creative.kind == "image" else spec.video
    if media is None:
        return [f"{spec.name} does not take {creative.kind}s."]
    found = []
    if creative.content_type not in media.formats:
        found.append(
            f"{spec.name} does not take {creative.content_type or 'this type'}."
        )
    if creative.size_bytes > media.max_bytes:
        found.append(f"larger than {spec.name}'s {media.max_bytes // MB:,} MB.")
    width, height = creative.width or 0, creative.height or 0
    if width and height:
        ratio = width / height
        if not any(low <= ratio <= high for _l, low, high in media.ratios):
            labels = ", ".join(label for label, _low, _high in media.ratios)
            found.append(f"aspect ratio {width}x{height} is not {labels}.")
        if width < media.min_width:
            found.append(f"narrower than {media.min_width} px.")
        if min(width, height) < media.min_short_side:
            found.append(f"shorter side under {media.min_short_side} px.")
    else:
        found.append("its dimensions are unknown.")
    if creative.kind == "video":
        seconds = creative.duration_seconds or 0
        if media.min_seconds is not None and seconds < media.min_seconds:
            found.append(f"shorter than {media.min_seconds:g} s.")
        if media.max_seconds is not None and seconds > media.max_seconds:
            found.append(f"longer than {media.max_seconds:g} s.")
    return found


def _text_problems(creative: Creative, spec: PlatformSpec) -> list[str]:
    found = []
    for name, limit in spec.text.items():
        value = getattr(creative, name) or ""
        if len(value) > limit:
            found.append(
                f"{TEXT_LABELS[name]} of {len(value)} characters: {spec.name} takes {limit}."
            )
    return found


def badges(creative: Creative) -> dict[str, list[str]]:
    """Every platform's problems with ``creative`` (an empty list: it meets the spec)."""
    return {platform: problems(creative, platform) for platform in SPECS}
