"""A refused login is a configuration fault, not a passing one: it is not retried until the credentials change or
a long wait has passed.

Exchange Online and Google lock an account after repeated failed logins, so a bot that retried a wrong password
every poll (and from its IDLE and Sent-folder connections too) would lock the mailbox it serves. Every IMAP login
in the process goes through here, keyed by the server, the user and a hash of the secret: a new password (a
rotated secret file) is tried at once, the same one only after `imap.login_retry_minutes`.
"""

from __future__ import annotations

import hashlib
import threading
import time


class LoginRefused(Exception):
    """The server refused our credentials. The message names the server, the user and what to check."""


class LoginSuspended(LoginRefused):
    """Not tried: these credentials were refused a short while ago and have not changed since."""


_lock = threading.Lock()
_refused: dict[str, tuple[float, str]] = {}  # key -> (monotonic time to try again, what the refusal said)


def login_key(host: str, port: int, user: str, secret: str) -> str:
    return hashlib.sha256(f"{host}\0{port}\0{user}\0{secret}".encode()).hexdigest()


def check(key: str) -> None:
    """Raise LoginSuspended if these credentials were refused and the wait is not over."""
    with _lock:
        found = _refused.get(key)
    if found is not None and time.monotonic() < found[0]:
        minutes = max(1, round((found[0] - time.monotonic()) / 60))
        raise LoginSuspended(f"{found[1]} (not tried again for {minutes} min, or until the password changes)")


def refused(key: str, message: str, retry_seconds: float) -> None:
    with _lock:
        _refused[key] = (time.monotonic() + retry_seconds, message)


def accepted(key: str) -> None:
    with _lock:
        _refused.pop(key, None)


def forget() -> None:
    """For tests: every refusal forgotten."""
    with _lock:
        _refused.clear()


__all__ = ["LoginRefused", "LoginSuspended", "accepted", "check", "forget", "login_key", "refused"]
