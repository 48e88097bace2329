"""A hostile corpus, generated: every file the creatives' validation must refuse or neutralise."""

from __future__ import annotations

import functools
import io
import struct
import subprocess
import tempfile
import zipfile
import zlib
from pathlib import Path

from PIL import Image

GPS_IFD = 0x8825


def jpeg(size=(1200, 628), exif_gps: bool = False, color="red") -> bytes:
    image = Image.new("RGB", size, color)
    buffer = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "SpyCam"  # Make
        exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}
        image.save(buffer, "JPEG", exif=exif, comment=b"secret comment")
    else:
        image.save(buffer, "JPEG")
    return buffer.getvalue()


def png(size=(1080, 1080)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 255, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def gif_animation(frames: int = 3, size=(64, 64)) -> bytes:
    colors = ["red", "green", "blue", "yellow", "white", "black"]
    images = [Image.new("RGB", size, colors[i % 6]).convert("P") for i in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=80)
    return buffer.getvalue()


def polyglot_image_html() -> bytes:
    """A valid JPEG with an HTML page (and script) after its end: opened as HTML, it runs."""
    return jpeg() + b"<html><body><script>alert(document.cookie)</script></body></html>"


def polyglot_image_zip() -> bytes:
    """A valid JPEG with a ZIP appended (a ZIP is read from its end: both open)."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.html", "<script>alert(1)</script>")
    return jpeg() + archive.getvalue()


def html_with_jpeg_name() -> bytes:
    return b"<!DOCTYPE html><html><script>alert(1)</script></html>"


def pixel_bomb_png(side: int = 50_000) -> bytes:
    """A small PNG declaring side x side pixels (2.5 G pixels: ~7.5 GB decoded)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + b"\x00" * (side * 3)
    compressor = zlib.compressobj(9)
    data = compressor.compress(row * 64) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", data)
        + chunk(b"IEND", b"")
    )


def zip_bomb() -> bytes:
    """A ZIP of 250 kB that inflates to 256 MB (never opened: ZIP is not accepted)."""
    archive = io.BytesIO()
    with (
        zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z,
        z.open("bomb.bin", "w", force_zip64=True) as member,
    ):
        block = b"\x00" * (1024 * 1024)
        for _ in range(256):
            member.write(block)
    return archive.getvalue()


def truncated_jpeg() -> bytes:
    data = jpeg(size=(800, 800), color="blue")
    return data[: len(data) // 2]


def mislabelled_png_as_gif() -> bytes:
    """PNG bytes sent as 'banner.gif' with Content-Type image/gif: stored as the PNG it is."""
    return png((600, 600))


def svg_with_script() -> bytes:
    return (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(1)</script></svg>"
    )


def svg_with_xxe() -> bytes:
    return (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<text>&xxe;</text><image xlink:href="http://example.invalid/x.png"/></svg>'
    )


def elf_executable() -> bytes:
    return Path("/bin/true").read_bytes()[:65536]


def pe_executable() -> bytes:
    """A minimal MZ/PE header (what libmagic reads a Windows program by)."""
    dos = bytearray(128)
    dos[0:2] = b"MZ"
    dos[0x3C:0x40] = struct.pack("<I", 0x80)
    pe = b"PE\x00\x00" + struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 0xE0, 0x102)
    optional = struct.pack("<H", 0x10B) + b"\x00" * (0xE0 - 2)
    return bytes(dos) + pe + optional + b"\x00" * 512


def polyglot_video_zip() -> bytes:
    """A valid MP4 with a ZIP appended after its last box."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.html", "<script>alert(1)</script>")
    return mp4_video() + archive.getvalue()


@functools.cache
def mp4_video(seconds: int = 6, size: str = "540x960") -> bytes:
    """A short H.264 MP4 drawn by ffmpeg's test source."""
    with tempfile.TemporaryDirectory() as work:
        target = Path(work) / "v.mp4"
        subprocess.run(
            [
                "ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"testsrc=size={size}:rate=10",
                "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(target),
            ],
            capture_output=True, check=True, timeout=60,
        )  # fmt: skip
        return target.read_bytes()


@functools.cache
def webm_video(seconds: int = 3) -> bytes:
    """A short VP8 WebM (no box sizes: truncation is found by demuxing every packet)."""
    with tempfile.TemporaryDirectory() as work:
        target = Path(work) / "v.webm"
        subprocess.run(
            [
                "ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=640x640:rate=10",
                "-t", str(seconds), "-c:v", "libvpx", "-deadline", "realtime",
                "-b:v", "1M", str(target),
            ],
            capture_output=True, check=True, timeout=60,
        )  # fmt: skip
        return target.read_bytes()
