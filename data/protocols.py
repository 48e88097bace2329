"""What data needs from auth's primitives (the password hasher, the cipher), bound by auth at init.

data never imports auth: auth.init_app / auth.crypto.init_app put their objects in the app's
slots below, data's commands read them from there, and every data function that hashes or
encrypts also takes the object as an argument (tests pass their own).
"""

from __future__ import annotations

from typing import Protocol

from flask import Flask, current_app

HASHER_SLOT = "kiki_password_hasher"
CIPHER_SLOT = "kiki_cipher"


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


def bind(
    app: Flask, *, hasher: PasswordHasher | None = None, cipher: Cipher | None = None
) -> None:
    """Give ``app`` its hasher and/or cipher (called by auth at init)."""
    if hasher is not None:
        app.extensions[HASHER_SLOT] = hasher
    if cipher is not None:
        app.extensions[CIPHER_SLOT] = cipher


def app_hasher() -> PasswordHasher:
    """The current app's password hasher."""
    return current_app.extensions[HASHER_SLOT]


def app_cipher() -> Cipher:
    """The current app's cipher."""
    return current_app.extensions[CIPHER_SLOT]
