"""Password hashes (argon2id, argon2-cffi's defaults) and one-time passwords for new accounts.

argon2-cffi's defaults follow RFC 9106's second recommended option; the tests pass cheaper parameters so that a
sign-in costs milliseconds there, never in a deployment.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12  # NCSC: length over complexity; a passphrase of three random words passes


def hasher(*, cheap: bool = False) -> PasswordHasher:
    if cheap:
        return PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    return PasswordHasher()


def one_time_password() -> str:
    """Shown once to whoever creates the account; the person must change it at first sign-in."""
    return secrets.token_urlsafe(12)


def verify(hash_: PasswordHasher, stored: str | None, password: str) -> bool:
    if not stored:
        return False
    try:
        return hash_.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


# Compared against when the account does not exist, so that a wrong name costs as long as a wrong password and
# the timing does not tell an attacker which names exist.
def dummy_hash(hash_: PasswordHasher) -> str:
    return hash_.hash(secrets.token_urlsafe(16))


def weak_reason(password: str, name: str) -> str | None:
    if len(password) < MIN_LENGTH:
        return f"use at least {MIN_LENGTH} characters (three random words make a good password)"
    if name and name.lower() in password.lower():
        return "do not use your sign-in name in your password"
    return None


__all__ = ["MIN_LENGTH", "dummy_hash", "hasher", "one_time_password", "verify", "weak_reason"]
