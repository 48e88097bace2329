"""The hostile corpus through the whole validation: each file refused or neutralised, nothing left on disk."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from PIL import Image

from data.media import uploads
from data.media.errors import Refused
from data.media.settings import MediaSettings
from data.media.store import store_upload
from tests import media_corpus as corpus

ORG = 7


@pytest.fixture
def settings(tmp_path):
    return MediaSettings(root=tmp_path / "media", max_image_bytes=5 * 1024 * 1024)


def files_on_disk(settings: MediaSettings) -> list[str]:
    """Every file under the media root (directories alone hold nothing)."""
    return sorted(
        str(Path(d, f).relative_to(settings.root))
        for d, _dirs, names in os.walk(settings.root)
        for f in names
    )


def receive(settings: MediaSettings, content: bytes, name: str = "creative.jpg"):
    """The whole upload path: a session, two chunks, then validation and storage."""
    upload = uploads.start_upload(settings, ORG, 1, name, len(content), used_bytes=0)
    middle = len(content) // 2
    uploads.write_chunk(upload, 0, middle, [content[:middle]])
    uploads.write_chunk(upload, middle, len(content), [content[middle:]])
    received, sha = uploads.take_completed(upload)
    assert sha == hashlib.sha256(content).hexdigest()
    return store_upload(received, sha, ORG, settings)


REFUSED = {
    "html named .jpg": (corpus.html_with_jpeg_name, 415, "HTML"),
    "pixel decompression bomb": (corpus.pixel_bomb_png, 422, "too many pixels"),
    "zip bomb": (corpus.zip_bomb, 415, "ZIP"),
    "truncated jpeg": (corpus.truncated_jpeg, 422, "truncated"),
    "svg with script": (corpus.svg_with_script, 415, "SVG"),
    "svg with xxe and external reference": (corpus.svg_with_xxe, 415, "SVG"),
    "elf renamed .jpg": (corpus.elf_executable, 415, "program"),
    "pe renamed .jpg": (corpus.pe_executable, 415, "program"),
    "empty": (lambda: b"", 422, "empty"),
    "mp4 with a zip appended": (corpus.polyglot_video_zip, 422, "appended"),
    "frame bomb": (
        lambda: corpus.gif_animation(frames=700, size=(8, 8)),
        422,
        "frames",
    ),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_hostile_file_is_refused_and_leaves_nothing(settings, name):
    make, status, words = REFUSED[name]
    content = make()
    if not content:  # an upload of 0 bytes is refused before it starts
        with pytest.raises(Refused):
            uploads.start_upload(settings, ORG, 1, "x.jpg", 0, used_bytes=0)
        return
    with pytest.raises(Refused) as refused:
        receive(settings, content)
    assert refused.value.status == status
    assert words.lower() in str(refused.value).lower(), str(refused.value)
    assert files_on_disk(settings) == []


@pytest.mark.parametrize(
    "make", [corpus.polyglot_image_html, corpus.polyglot_image_zip], ids=["html", "zip"]
)
def test_polyglot_is_neutralised_by_reencoding(settings, make):
    stored = receive(settings, make())
    data = (settings.root / stored.storage_path).read_bytes()
    assert stored.kind == "image" and stored.content_type == "image/jpeg"
    assert b"<script" not in data and b"PK\x03\x04" not in data
    assert data.endswith(b"\xff\xd9")  # the JPEG ends where its image ends
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert files_on_disk(settings) == sorted(
        [stored.storage_path, stored.thumbnail_path]
    )


def test_gps_exif_is_stripped(settings):
    original = corpus.jpeg(exif_gps=True)
    assert corpus.GPS_IFD in Image.open(io.BytesIO(original)).getexif()
    stored = receive(settings, original)
    clean = Image.open(settings.root / stored.storage_path)
    assert not clean.getexif()
    assert "comment" not in clean.info and "exif" not in clean.info
    assert b"SpyCam" not in (settings.root / stored.storage_path).read_bytes()


def test_mislabelled_file_is_stored_as_what_it_is(settings):
    stored = receive(settings, corpus.mislabelled_png_as_gif(), name="banner.gif")
    assert stored.content_type == "image/png" and (stored.width, stored.height) == (
        600,
        600,
    )


def test_animated_gif_keeps_its_frames(settings):
    stored = receive(settings, corpus.gif_animation(frames=4))
    with Image.open(settings.root / stored.storage_path) as image:
        assert image.n_frames == 4


def test_oversized_declared_upload_is_refused_before_any_byte(settings):
    small = MediaSettings(root=settings.root, max_bytes=1000)
    with pytest.raises(Refused) as refused:
        uploads.start_upload(small, ORG, 1, "big.mp4", 1001, used_bytes=0)
    assert refused.value.status == 413
    assert files_on_disk(settings) == []


def test_image_over_the_image_cap_is_refused(settings):
    small = MediaSettings(root=settings.root, max_image_bytes=1000)
    with pytest.raises(Refused) as refused:
        receive(small, corpus.jpeg())
    assert refused.value.status == 413
    assert files_on_disk(settings) == []


def test_quota_is_checked_at_the_start(settings):
    tight = MediaSettings(root=settings.root, quota_bytes=10_000)
    with pytest.raises(Refused, match="quota"):
        uploads.start_upload(tight, ORG, 1, "a.jpg", 2_000, used_bytes=9_000)


def test_chunk_gap_and_overlap_are_refused_with_the_offset(settings):
    content = corpus.jpeg()
    upload = uploads.start_upload(settings, ORG, 1, "a.jpg", len(content), 0)
    uploads.write_chunk(upload, 0, 1000, [content[:1000]])
    for start in (1500, 500):  # a gap, an overlap
        with pytest.raises(Refused) as refused:
            uploads.write_chunk(
                upload, start, start + 100, [content[start : start + 100]]
            )
        assert refused.value.status == 409 and refused.value.offset == 1000
    assert upload.received == 1000
    with pytest.raises(Refused) as beyond:
        uploads.parse_content_range(
            f"bytes 0-{len(content)}/{len(content)}", None, len(content)
        )
    assert beyond.value.status == 416
    uploads.discard(upload)
    assert files_on_disk(settings) == []


def test_resume_after_a_dropped_chunk(settings):
    content = corpus.jpeg(size=(1080, 1080), color="green")
    upload = uploads.start_upload(settings, ORG, 1, "a.jpg", len(content), 0)

    def dropped():
        yield content[:700]
        raise ConnectionResetError("the connection dropped")

    with pytest.raises(ConnectionResetError):
        uploads.write_chunk(upload, 0, 2000, dropped())
    assert upload.received == 700  # what arrived is kept: resume from there
    uploads._hashes.clear()  # another process resumes: the hash is read back from disk
    uploads.write_chunk(upload, 700, len(content), [content[700:]])
    received, sha = uploads.take_completed(upload)
    assert sha == hashlib.sha256(content).hexdigest()
    stored = store_upload(received, sha, ORG, settings)
    assert (stored.width, stored.height) == (1080, 1080)


def test_same_file_twice_is_stored_once(settings):
    content = corpus.png()
    first, second = receive(settings, content), receive(settings, content)
    assert first.storage_path == second.storage_path
    assert first.storage_path.startswith(f"{ORG}/{first.sha256[:2]}/")
    assert len(files_on_disk(settings)) == 2  # the file and its thumbnail


def test_video_is_probed_with_a_poster(settings):
    stored = receive(settings, corpus.mp4_video(), name="clip.mov")
    assert stored.kind == "video" and stored.content_type == "video/mp4"
    assert (stored.width, stored.height, stored.video_codec) == (540, 960, "h264")
    assert 5.5 < stored.duration_seconds < 6.5
    assert stored.thumbnail_path and (settings.root / stored.thumbnail_path).exists()


def test_truncated_video_is_refused(settings):
    video = corpus.mp4_video()
    with pytest.raises(Refused):
        receive(settings, video[: len(video) // 3])
    assert files_on_disk(settings) == []


def test_webm_is_accepted_and_a_truncated_one_refused(settings):
    video = corpus.webm_video()
    stored = receive(settings, video, name="square.webm")
    assert (stored.content_type, stored.video_codec) == ("video/webm", "vp8")
    assert (stored.width, stored.height) == (640, 640)
    with pytest.raises(Refused):
        receive(settings, video[: len(video) // 2], name="cut.webm")
    assert files_on_disk(settings) == sorted(
        [stored.storage_path, stored.thumbnail_path]
    )


def test_a_truncated_image_is_refused_after_weasyprint_was_imported(settings):
    """WeasyPrint switches Pillow's process-wide LOAD_TRUNCATED_IMAGES on when imported (the
    first PDF of a worker): the full suite caught a truncated JPEG accepted after it."""
    import weasyprint  # noqa: F401  (imported for its side effect on Pillow)
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as weasyprint/images.py leaves it
    with pytest.raises(Refused) as refused:
        receive(settings, corpus.truncated_jpeg())
    assert refused.value.status == 422 and "truncated" in str(refused.value)
    assert files_on_disk(settings) == []
