"""How a log line names a message: by its Message-ID, unless the Message-ID would name the person who sent it.

Logs are kept longer and read more widely than the mailbox, and they name messages by Message-ID so that a line can
be matched to a mail. Most Message-IDs are random (`<CAF3x…@mail.gmail.com>`), but some clients build them from
the sender's address (`<john.smith@example.org>`, `<1234.jsmith@example.org>`, `<x.jsmith=example.org@relay>`):
such an ID in a log is personal data. Those are named by a short hash of the Message-ID instead — stable, so every
line about the message still matches, and `mailbot messages list` shows the ID beside nothing personal.
"""

from __future__ import annotations

import hashlib
import re
from email.parser import BytesHeaderParser
from email.utils import parseaddr

# An id-left made only of name-like words ("john.smith", "j_smith") is someone's mailbox, not a generated token.
_NAME_LIKE = re.compile(r"[a-z]+(?:[._-][a-z]+)*", re.IGNORECASE)
# An address embedded in the id-left: `@`, or its usual escapes in generated IDs (`%40`, `=40`, `=` for `@`).
_EMBEDDED = re.compile(r"@|%40|=40|[a-z0-9._-]+=[a-z0-9-]+\.[a-z]{2,}", re.IGNORECASE)
_MIN_LOCAL = 3  # shorter local parts ("jo") match too much random text to be evidence


def short_hash(message_id: str) -> str:
    return "msg:" + hashlib.sha256(message_id.encode("utf-8", "surrogateescape")).hexdigest()[:12]


def reveals_sender(message_id: str, sender: str | None = None) -> bool:
    """Whether the Message-ID contains an address: the sender's (or its local part), or any embedded one."""
    inner = message_id.strip().strip("<>")
    left, at, _right = inner.rpartition("@")
    if not at:
        left = inner
    if _EMBEDDED.search(left) or _NAME_LIKE.fullmatch(left):
        return True
    if sender:
        address = sender.strip().lower()
        local = address.partition("@")[0]
        lowered = inner.lower()
        if address and address in lowered:
            return True
        if len(local) >= _MIN_LOCAL and local in left.lower():
            return True
    return False


def log_name(message_id: str | None, sender: str | None = None) -> str:
    """What a log line calls the message: its Message-ID, or `msg:<hash>` when the ID would reveal an address."""
    if not message_id:
        return "(no Message-ID)"
    return short_hash(message_id) if reveals_sender(message_id, sender) else message_id


def sender_of(raw: bytes) -> str | None:
    """The From address of raw mail, from its header block only; None when there is none to read."""
    try:
        headers = BytesHeaderParser().parsebytes(raw[:65536], headersonly=True)
        address = parseaddr(str(headers.get("From", "")))[1]
    except Exception:  # noqa: BLE001 - malformed mail must never stop a log line; the heuristic still applies
        return None
    return address or None


def log_name_raw(message_id: str | None, raw: bytes | None) -> str:
    """`log_name` for a stored message, its sender read from its own headers."""
    return log_name(message_id, sender_of(raw) if raw else None)
