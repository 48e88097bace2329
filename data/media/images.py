"""Images: decoded in full under pixel and frame limits, re-encoded without metadata, thumbnailed.

Re-encoding is what neutralises polyglots: only decoded pixels are written back, so an HTML page
or a ZIP appended to (or hidden in the comments of) a JPEG does not survive, nor does EXIF
(location, camera serials), XMP or text chunks. The ICC profile (colour) is kept.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFile, ImageOps, ImageSequence, UnidentifiedImageError

from data.media.errors import Refused
from data.media.settings import MediaSettings
from data.media.sniff import Format

SAVE_OPTIONS = {
    "JPEG": {"quality": 92, "optimize": True},
    "PNG": {"optimize": False},
    "WEBP": {"quality": 90, "method": 4},
    "GIF": {},
}


@dataclass(frozen=True)
class ImageFacts:
    width: int
    height: int
    frames: int


def sanitise_image(
    source: Path, target: Path, fmt: Format, settings: MediaSettings
) -> ImageFacts:
    """Decode ``source`` fully and write a clean copy to ``target``; Refused when it cannot be."""
    # WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES when it is imported (the
    # first PDF of a process): a truncated upload would then decode padded with grey instead
    # of being refused. Our PDFs hold no raster images, so it is switched off again here.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: make it a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source, formats=[fmt.pillow]) as image:
                return _rewrite(image, target, fmt, settings)
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused(_too_many_pixels(settings), 422) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise Refused(
            f"The image cannot be read: it is damaged or truncated ({_reason(exc)}).",
            422,
        ) from None


def _rewrite(image, target: Path, fmt: Format, settings: MediaSettings) -> ImageFacts:
    width, height = image.size
    if width < 1 or height < 1 or width * height > settings.max_pixels:
        raise Refused(_too_many_pixels(settings), 422)
    frames = getattr(image, "n_frames", 1)
    if frames > settings.max_frames:
        raise Refused(
            f"The animation has {frames:,} frames: at most {settings.max_frames:,}.",
            422,
        )
    if frames * width * height > settings.max_frame_pixels:
        raise Refused("The animation is too large to decode (frames x pixels).", 422)
    icc = image.info.get("icc_profile")
    options = dict(SAVE_OPTIONS[fmt.pillow])
    if icc:
        options["icc_profile"] = icc
    if frames > 1:
        decoded = [_decoded(frame) for frame in ImageSequence.Iterator(image)]
        first, rest = decoded[0], decoded[1:]
        durations = image.info.get("duration", 100)
        first.save(
            target,
            format=fmt.pillow,
            save_all=True,
            append_images=rest,
            duration=durations,
            loop=image.info.get("loop", 0),
            **options,
        )
    else:
        image.load()  # every byte decoded: truncation and corrupt data show here
        clean = ImageOps.exif_transpose(image)  # keep the orientation EXIF carried
        clean = _decoded(clean)
        if fmt.pillow == "JPEG" and clean.mode not in ("RGB", "L"):
            clean = clean.convert("RGB")
        clean.save(target, format=fmt.pillow, **options)
        width, height = clean.size
    return ImageFacts(width=width, height=height, frames=frames)


def _decoded(frame) -> Image.Image:
    """A copy holding pixels only: no info dict (EXIF, XMP, comments, text chunks) carried over."""
    frame.load()
    pixels = frame.copy()
    pixels.info = {}
    return pixels


def thumbnail(source: Path, target: Path, side: int) -> None:
    """A WebP at most ``side`` pixels on its longer side, from a file already sanitised."""
    with Image.open(source) as image:
        image.seek(0)
        small = image.convert("RGBA") if image.mode in ("P", "LA", "PA") else image
        small = small.copy()
        small.thumbnail((side, side))
        small.save(target, format="WEBP", quality=80)


def _too_many_pixels(settings: MediaSettings) -> str:
    return (
        f"The image has too many pixels to decode safely: at most "
        f"{settings.max_pixels:,} (about {settings.max_pixels // 1_000_000} megapixels)."
    )


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:120]
