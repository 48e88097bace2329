"""What data needs from the outer packages (auth's password hasher and cipher, exports' report
renderer), bound by them at init.

data never imports auth: auth.init_app / auth.crypto.init_app put their objects in the app's
slots below, data's commands read them from there, and every data function that hashes or
encrypts also takes the object as an argument (tests pass their own).
"""

from __future__ import annotations

from typing import Any, Protocol

from flask import Flask, current_app

HASHER_SLOT = "kiki_password_hasher"
CIPHER_SLOT = "kiki_cipher"
RENDERER_SLOT = "kiki_report_renderer"


class PasswordHasher(Protocol):
    """Slow password hashing and the password policy (auth.passwords.PASSWORDS)."""

    max_length: int

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str | None, password: str) -> bool: ...

    def problem(self, password: str | None) -> str | None: ...

    def generate(self) -> str: ...


class Cipher(Protocol):
    """Encryption of stored secrets (auth.crypto.Cipher); decrypt/rotate raise InvalidToken."""

    def encrypt(self, plaintext: str) -> bytes: ...

    def decrypt(self, token: bytes) -> str: ...

    def rotate(self, token: bytes) -> bytes: ...


class ReportRenderer(Protocol):
    """The files of a scheduled report (exports/report_files.py): the PDF the export route
    makes for ``view`` and ``params`` (the route's query parameters, dates resolved), and the
    CSV when asked; (file name, bytes, MIME type) each. Raises on any failure."""

    def __call__(
        self,
        session: Any,
        scope: Any,
        view: str,
        campaign_id: int | None,
        params: dict,
        include_csv: bool,
    ) -> list[tuple[str, bytes, str]]: ...


def bind(
    app: Flask,
    *,
    hasher: PasswordHasher | None = None,
    cipher: Cipher | None = None,
    report_renderer: ReportRenderer | None = None,
) -> None:
    """Give ``app`` its hasher, cipher and/or report renderer (called by auth and exports)."""
    if hasher is not None:
        app.extensions[HASHER_SLOT] = hasher
    if cipher is not None:
        app.extensions[CIPHER_SLOT] = cipher
    if report_renderer is not None:
        app.extensions[RENDERER_SLOT] = report_renderer


def app_hasher() -> PasswordHasher:
    """The current app's password hasher."""
    return current_app.extensions[HASHER_SLOT]


def app_cipher() -> Cipher:
    """The current app's cipher."""
    return current_app.extensions[CIPHER_SLOT]


def app_report_renderer() -> ReportRenderer | None:
    """The current app's report renderer (None when exports did not bind one)."""
    return current_app.extensions.get(RENDERER_SLOT)
