"""Password hashing with argon2id (argon2-cffi's RFC 9106 profile, above OWASP's minimum)."""

from __future__ import annotations

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from auth.common_passwords import is_common_password

_hasher = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4 (building it hashes nothing)

MIN_PASSWORD_LENGTH = 12
COMMON_PASSWORD_MESSAGE = (
    "That password is on a list of common or breached passwords. Choose another: "
    "a few unrelated words make a strong one."
)
MAX_PASSWORD_LENGTH = 256


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so both failures take the same time.

    Computed on first use, not at import: importing auth must not spend an argon2 hash.
    """
    return _hasher.hash("kiki-timing-equaliser")


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; takes the same time whether or not a hash was given."""
    try:
        return (
            _hasher.verify(password_hash or _dummy_hash(), password)
            and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str | None) -> str | None:
    """A message saying why ``password`` is not acceptable, or None."""
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        return f"The password must be at least {MIN_PASSWORD_LENGTH} characters long."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"The password can be at most {MAX_PASSWORD_LENGTH} characters long."
    if password.strip() != password or len(set(password)) < 5:
        return "The password is too simple (no leading or trailing spaces, at least 5 distinct characters)."
    if is_common_password(password):
        return COMMON_PASSWORD_MESSAGE
    return None


def generate_password() -> str:
    """A random password of 20 URL-safe characters (about 120 bits), shown once."""
    while True:
        password = secrets.token_urlsafe(15)
        if password_problem(password) is None:
            return password


class Argon2Passwords:
    """The app's data.protocols.PasswordHasher: these functions, as the object data is given."""

    max_length = MAX_PASSWORD_LENGTH

    def hash(self, password: str) -> str:
        return hash_password(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        return verify_password(password_hash, password)

    def problem(self, password: str | None) -> str | None:
        return password_problem(password)

    def generate(self) -> str:
        return generate_password()


PASSWORDS = Argon2Passwords()
