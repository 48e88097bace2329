"""Keyed pseudonyms: HMAC-SHA256 of an e-mail under a key derived from SECRET_KEY with HKDF.

The same address always gives the same pseudonym (the erased person's audit rows stay linked
to each other, and someone holding both the address and the key can prove a row was theirs),
but without the key the pseudonym reveals nothing. Changing SECRET_KEY changes the pseudonyms
of later erasures, not of earlier ones.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SALT = b"kiki-analytics/privacy"
INFO = b"audit-pseudonym/v1"
PREFIX = "anon-"


def pseudonym_key(secret_key: str | bytes) -> bytes:
    """A 32-byte key for pseudonyms only, derived from the app's secret key (HKDF-SHA256)."""
    material = secret_key.encode() if isinstance(secret_key, str) else secret_key
    if not material:
        raise ValueError("a secret key is needed to pseudonymise")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=SALT, info=INFO).derive(
        material
    )


def pseudonym(key: bytes, email: str) -> str:
    """ "anon-" and 32 hex digits (128 bits) of HMAC-SHA256(key, the lower-cased e-mail)."""
    digest = hmac.new(key, email.strip().lower().encode(), hashlib.sha256)
    return PREFIX + digest.hexdigest()[:32]


def app_pseudonym_key() -> bytes:
    """The current app's pseudonym key (needs an app context)."""
    from flask import current_app

    return pseudonym_key(current_app.config["SECRET_KEY"])
