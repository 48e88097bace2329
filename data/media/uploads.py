"""Resumable uploads: a session on disk per upload, appended chunk by chunk at the received offset.

``<root>/<org>/.incoming/<id>/``: ``meta.json`` (who, what, how big) and ``data`` (the bytes so
far; its size is the offset a client resumes from). A chunk must start exactly at the offset
(a gap or an overlap is refused with the offset to resume from) and may not pass the declared
total, which itself is checked against the caps and the quota before the first byte. The
SHA-256 is computed on the way and kept per process with the offset it covers; when a chunk
reaches another process (gunicorn's workers take turns) or follows a restart, the running hash
is dropped and computed from the data file once, when the upload completes: at most one more
read, never a re-read per chunk. Whatever is refused is removed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import secrets
import shutil
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from data.errors import NotFound
from data.media.errors import Refused
from data.media.settings import MediaSettings
from data.media.store import BLOCK, INCOMING, incoming_dir, org_dir

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
MAX_FILENAME = 255
_hashes: dict[str, tuple[int, object]] = {}
_hashes_lock = threading.Lock()


@dataclass(frozen=True)
class Upload:
    id: str
    organization_id: int
    user_id: int | None
    filename: str
    total: int
    campaign_id: int | None
    created_at: float
    directory: Path
    prompt_id: int | None = None  # the image or video prompt it was generated from

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def received(self) -> int:
        try:
            return self.data.stat().st_size
        except FileNotFoundError:
            return 0

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "filename": self.filename,
            "size": self.total,
            "received": self.received,
            "complete": self.received == self.total,
        }


def clean_filename(name: str | None) -> str:
    """A display name only (never a path): its last component, printable, at most 255 chars."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:MAX_FILENAME] or "upload"


def start_upload(
    settings: MediaSettings,
    organization_id: int,
    user_id: int | None,
    filename: str | None,
    total: int,
    used_bytes: int,
    campaign_id: int | None = None,
    prompt_id: int | None = None,
) -> Upload:
    """A new upload of ``total`` bytes; Refused (413) beyond the size cap or the quota."""
    if not isinstance(total, int) or isinstance(total, bool) or total <= 0:
        raise Refused("Give the file's size in bytes (more than 0).", 400)
    if total > settings.max_bytes:
        raise Refused(
            f"The file is too large: at most {settings.max_bytes:,} bytes.", 413
        )
    if used_bytes + total > settings.quota_bytes:
        raise Refused(
            f"Your organization's storage quota ({settings.quota_bytes:,} bytes) would be "
            f"exceeded: {used_bytes:,} bytes are in use. Delete unused creatives first.",
            413,
        )
    sweep_stale(settings, organization_id)
    upload_id = secrets.token_urlsafe(24)
    directory = incoming_dir(settings, organization_id) / upload_id
    directory.mkdir(mode=0o700)
    meta = {
        "organization_id": int(organization_id),
        "user_id": user_id,
        "filename": clean_filename(filename),
        "total": total,
        "campaign_id": campaign_id,
        "prompt_id": prompt_id,
        "created_at": time.time(),
    }
    (directory / "meta.json").write_text(json.dumps(meta))
    (directory / "data").touch(mode=0o600)
    return _upload(upload_id, directory, meta)


def find_upload(
    settings: MediaSettings, organization_id: int, upload_id: str
) -> Upload:
    """The organization's upload ``upload_id``; NotFound for anything else (another
    organization's id included: its directory is not looked in)."""
    if not isinstance(upload_id, str) or not ID_PATTERN.match(upload_id):
        raise NotFound("No such upload.")
    directory = org_dir(settings, organization_id) / INCOMING / upload_id
    try:
        meta = json.loads((directory / "meta.json").read_text())
    except (FileNotFoundError, NotADirectoryError, ValueError):
        raise NotFound("No such upload (it may have expired).") from None
    if meta.get("organization_id") != int(organization_id):
        raise NotFound("No such upload.")
    return _upload(upload_id, directory, meta)


def _upload(upload_id: str, directory: Path, meta: dict) -> Upload:
    return Upload(
        id=upload_id,
        organization_id=meta["organization_id"],
        user_id=meta.get("user_id"),
        filename=meta["filename"],
        total=meta["total"],
        campaign_id=meta.get("campaign_id"),
        created_at=meta["created_at"],
        directory=directory,
        prompt_id=meta.get("prompt_id"),
    )


def parse_content_range(header: str | None, length: int | None, total: int):
    """(start, end exclusive) of a ``Content-Range: bytes a-b/total`` chunk (no header: the
    whole file in one request); Refused 416 when it does not describe this upload."""
    if not header:
        if length is None:
            raise Refused("Give the chunk's Content-Length.", 411)
        return 0, length
    match = re.fullmatch(r"bytes (\d{1,15})-(\d{1,15})/(\d{1,15})", header.strip())
    if not match:
        raise Refused("Content-Range must read 'bytes first-last/total'.", 416)
    first, last, declared = (int(part) for part in match.groups())
    if declared != total or last < first or last >= total:
        raise Refused(
            f"The range {first}-{last}/{declared} is not within this upload of {total:,} bytes.",
            416,
        )
    if length is not None and length != last - first + 1:
        raise Refused("The chunk's length does not match its Content-Range.", 416)
    return first, last + 1


def write_chunk(upload: Upload, start: int, end: int, blocks: Iterable[bytes]) -> int:
    """Append ``blocks`` (the bytes start..end) at the received offset; return the new offset.

    Refused 409 when ``start`` is not the offset (a gap or an overlap: the message and
    ``offset`` say where to resume) or another chunk of this upload is being written. Bytes
    that arrived before a dropped connection are kept, so the client resumes after them.
    """
    with (upload.directory / "lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Refused(
                "Another chunk of this upload is being written: wait for it.", 409
            ) from None
        offset = upload.received
        if start != offset:
            word = "gap" if start > offset else "overlap"
            error = Refused(
                f"The chunk starts at byte {start:,} but {offset:,} bytes were received "
                f"(a {word}): resume from byte {offset:,}.",
                409,
            )
            error.offset = offset
            raise error
        digest = _running_digest(upload, offset)
        written = offset
        try:
            with upload.data.open("ab") as handle:
                for block in blocks:
                    if written + len(block) > end:
                        raise Refused(
                            "More bytes arrived than the chunk's range announced.", 416
                        )
                    handle.write(block)
                    if digest is not None:
                        digest.update(block)
                    written += len(block)
        finally:
            if digest is not None:
                with _hashes_lock:
                    _hashes[upload.id] = (written, digest)
        return written


def _running_digest(upload: Upload, offset: int):
    """This process's running hash of the upload when it covers exactly ``offset`` bytes (the
    first chunk starts one); None when another process took a chunk in between."""
    with _hashes_lock:
        known = _hashes.pop(upload.id, None)
    if offset == 0:
        return hashlib.sha256()
    return known[1] if known and known[0] == offset else None


def _digest(upload: Upload, offset: int):
    """The hash of the first ``offset`` bytes: the running one, or read from the file once."""
    known = _running_digest(upload, offset) if offset else None
    if known is not None:
        return known
    digest = hashlib.sha256()
    with upload.data.open("rb") as handle:
        remaining = offset
        while remaining and (block := handle.read(min(BLOCK, remaining))):
            digest.update(block)
            remaining -= len(block)
    return digest


def take_completed(upload: Upload) -> tuple[Path, str]:
    """The finished data file (moved out of the session, which is removed) and its SHA-256."""
    digest = _digest(upload, upload.received)
    target = upload.directory.parent / f"{upload.id}.received"
    upload.data.rename(target)
    discard(upload)
    return target, digest.hexdigest()


def discard(upload: Upload) -> None:
    with _hashes_lock:
        _hashes.pop(upload.id, None)
    shutil.rmtree(upload.directory, ignore_errors=True)


def sweep_stale(settings: MediaSettings, organization_id: int) -> int:
    """Remove the organization's uploads older than the TTL; how many were removed."""
    removed, now = 0, time.time()
    base = org_dir(settings, organization_id) / INCOMING
    if not base.is_dir():
        return 0
    for entry in base.iterdir():
        try:
            age = now - entry.stat().st_mtime
        except FileNotFoundError:
            continue
        if age > settings.upload_ttl_seconds:
            with _hashes_lock:
                _hashes.pop(entry.name, None)
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed += 1
    return removed


def blocks_of(stream, limit: int, size: int = BLOCK):
    """Read ``stream`` in blocks, at most ``limit`` bytes (the chunk's announced length)."""
    remaining = limit
    while remaining > 0:
        block = stream.read(min(size, remaining))
        if not block:
            return
        remaining -= len(block)
        yield block
