"""Videos: probed by ffprobe (container, codec, duration, resolution) and a poster frame by ffmpeg.

Both run as child processes with a deadline, reading the local file only (``-protocol_whitelist
file``): a playlist or a reference inside a hostile container cannot make them fetch anything.
The bytes are stored as uploaded (re-encoding a 2 GB video is not an upload's job); the serving
route's headers (nosniff, sandboxing CSP, attachment for anything but the player) neutralise
whatever else the file may carry.
"""

from __future__ import annotations

import json
import math
import subprocess
from dataclasses import dataclass
from pathlib import Path

from data.media.errors import Refused
from data.media.settings import MediaSettings
from data.media.sniff import Format

VIDEO_CODECS = {"h264", "hevc", "vp8", "vp9", "av1", "mpeg4"}
UNREADABLE = "The video cannot be read: it is damaged, truncated or not a video."
TRAILING = (
    "The video's container has data outside its boxes (something appended to it, or a "
    "damaged file): export it again."
)


@dataclass(frozen=True)
class VideoFacts:
    width: int
    height: int
    duration_seconds: float
    codec: str
    container: str


def probe_video(path: Path, fmt: Format, settings: MediaSettings) -> VideoFacts:
    """The video's facts, or Refused when ffprobe cannot read it or it is beyond the limits."""
    boxed = "mp4" in fmt.containers
    if boxed:
        check_boxes(path)  # a truncated MP4/MOV ends inside a box: refused here
    command = [
        "ffprobe",
        "-v",
        "error",
        "-protocol_whitelist",
        "file",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        # WebM has no box sizes to check: every packet is demuxed (no decoding: I/O speed),
        # so a truncated file reads fewer packets than its index promises and says so. An
        # MP4/MOV is not read twice (a 2 GB upload's throughput, bench/media.py).
        *([] if boxed else ["-count_packets"]),
        str(path),
    ]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            timeout=settings.probe_timeout_seconds,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise Refused(UNREADABLE, 422) from None
    if done.returncode != 0 or done.stderr.strip():
        raise Refused(UNREADABLE, 422)
    try:
        report = json.loads(done.stdout)
    except ValueError:
        raise Refused(UNREADABLE, 422) from None
    return _facts(report, fmt, settings)


def check_boxes(path: Path) -> None:
    """An MP4/MOV file is a run of top-level boxes (ISO/IEC 14496-12 4.2: a 32-bit size, a
    four-character type, a 64-bit size when the first is 1, "to the end" when 0) that must cover
    the file exactly. ffprobe reads what it needs and ignores the rest, so a ZIP or an HTML page
    appended after the last box (a polyglot) would be stored with the video: refused here.
    This is a check of the container's framing, not a sniff of its type (libmagic did that)."""
    total, offset = path.stat().st_size, 0
    with path.open("rb") as handle:
        while offset < total:
            handle.seek(offset)
            header = handle.read(16)
            if len(header) < 8:
                raise Refused(TRAILING, 422)
            size = int.from_bytes(header[:4], "big")
            kind = header[4:8]
            if not all(32 <= byte < 127 for byte in kind):
                raise Refused(TRAILING, 422)
            if size == 1:
                if len(header) < 16:
                    raise Refused(TRAILING, 422)
                size = int.from_bytes(header[8:16], "big")
            elif size == 0:
                size = total - offset
            if size < 8 or offset + size > total:
                raise Refused(TRAILING, 422)
            offset += size


def _facts(report: dict, fmt: Format, settings: MediaSettings) -> VideoFacts:
    container = str(report.get("format", {}).get("format_name", ""))
    if not set(container.split(",")) & set(fmt.containers):
        raise Refused(
            f"The file's container ({container or 'unknown'}) is not what its content "
            f"claims ({fmt.extension}).",
            415,
        )
    videos = [s for s in report.get("streams", []) if s.get("codec_type") == "video"]
    if not videos:
        raise Refused("The file holds no video stream.", 422)
    stream = videos[0]
    codec = str(stream.get("codec_name", ""))
    if codec not in VIDEO_CODECS:
        raise Refused(
            f"The video codec {codec or 'unknown'} is not accepted: use H.264, H.265, "
            "VP8, VP9 or AV1.",
            415,
        )
    promised, read = stream.get("nb_frames"), stream.get("nb_read_packets")
    if promised and read and int(read) < int(promised):
        raise Refused("The video is truncated: part of it is missing.", 422)
    width, height = int(stream.get("width") or 0), int(stream.get("height") or 0)
    if not (
        0 < width <= settings.max_video_side and 0 < height <= settings.max_video_side
    ):
        raise Refused(
            f"The video's resolution ({width}x{height}) is not accepted: at most "
            f"{settings.max_video_side} pixels a side.",
            422,
        )
    duration = _duration(report, stream)
    if not 0 < duration <= settings.max_video_seconds:
        raise Refused(
            "The video's duration cannot be read or is beyond "
            f"{settings.max_video_seconds / 3600:g} hours.",
            422,
        )
    return VideoFacts(width, height, round(duration, 3), codec, container)


def _duration(report: dict, stream: dict) -> float:
    for raw in (report.get("format", {}).get("duration"), stream.get("duration")):
        try:
            value = float(raw)
        except (TypeError, ValueError):
            continue
        if math.isfinite(value) and value > 0:
            return value
    return 0.0


def poster(path: Path, target: Path, duration: float, settings: MediaSettings) -> bool:
    """A PNG frame (one second in, or the middle of a shorter video) scaled to the thumbnail
    size; False when ffmpeg could not draw one (the creative is kept without a poster)."""
    at = min(1.0, duration / 2)
    side = settings.thumbnail_side
    command = [
        "ffmpeg",
        "-v",
        "error",
        "-nostdin",
        "-protocol_whitelist",
        "file",
        "-ss",
        f"{at:.3f}",
        "-i",
        str(path),
        "-frames:v",
        "1",
        "-vf",
        f"scale='min({side},iw)':-2",
        "-f",
        "image2",
        "-c:v",
        "png",
        "-y",
        str(target),
    ]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            timeout=settings.probe_timeout_seconds,
            check=False,
        )
    except subprocess.TimeoutExpired:
        target.unlink(missing_ok=True)
        return False
    if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        target.unlink(missing_ok=True)
        return False
    return True
