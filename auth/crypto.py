"""Encryption of stored secrets: MultiFernet over KIKI_ENCRYPTION_KEYS, newest key first."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app

from config import INSTANCE_DIR, ConfigError
from data import protocols

KEY_FILE = "encryption_key"


class Cipher:
    """Encrypts with the newest key; decrypts with any of them (old keys stay readable)."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ConfigError("KIKI_ENCRYPTION_KEYS is empty")
        self.key_count = len(keys)
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def encrypt(self, plaintext: str) -> bytes:
        """The Fernet token of ``plaintext`` under the newest key."""
        return self._fernet.encrypt(plaintext.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        """The plaintext of ``token``; raises InvalidToken when no key opens it."""
        return self._fernet.decrypt(bytes(token)).decode("utf-8")

    def rotate(self, token: bytes) -> bytes:
        """``token`` re-encrypted under the newest key; raises InvalidToken when no key opens it."""
        return self._fernet.rotate(bytes(token))


def _split(value) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    return [key.strip() for key in value or () if key and key.strip()]


def _check(keys: list[str]) -> list[str]:
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ConfigError(
                f"KIKI_ENCRYPTION_KEYS: key #{position} is not a Fernet key (32 url-safe "
                "base64 bytes); make one with `python -c 'from cryptography.fernet import "
                "Fernet; print(Fernet.generate_key().decode())'`"
            ) from None
    return keys


def demo_key(instance_dir: Path = INSTANCE_DIR) -> str:
    """Demo mode only: a random key generated once and kept in instance/encryption_key (0600)."""
    instance_dir.mkdir(exist_ok=True)
    path = instance_dir / KEY_FILE
    try:
        # O_EXCL with mode 0600: the key is never readable by others, not even briefly.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(Fernet.generate_key().decode())
    return path.read_text().strip()


def resolve_keys(config: dict, instance_dir: Path = INSTANCE_DIR) -> list[str]:
    """The configured keys (newest first); a persisted local key in demo mode; else ConfigError."""
    keys = _split(config.get("KIKI_ENCRYPTION_KEYS"))
    if keys:
        return _check(keys)
    if not config.get("KIKI_DEMO"):
        raise ConfigError(
            "KIKI_ENCRYPTION_KEYS is not set: production mode needs at least one Fernet key "
            "to encrypt the platform API keys (comma-separated, newest first; it is never "
            "derived from SECRET_KEY)"
        )
    return _check([demo_key(instance_dir)])


def init_app(app: Flask) -> None:
    """Bind the app's cipher; refuses to start (ConfigError) without usable keys."""
    protocols.bind(app, cipher=Cipher(resolve_keys(app.config)))


def cipher() -> Cipher:
    """The current app's cipher."""
    return current_app.extensions[protocols.CIPHER_SLOT]


__all__ = ["Cipher", "InvalidToken", "cipher", "init_app", "resolve_keys"]
