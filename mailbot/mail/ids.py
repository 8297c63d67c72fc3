"""Message-IDs as threading needs them: bracketed, whitespace-free, each once, and a stable one when none is given."""

from __future__ import annotations

import hashlib
import re

from mailbot.mail.headers import Headers

__all__ = ["ANGLE_ID", "SYNTHETIC_DOMAIN", "ids_in", "message_id", "message_ids", "synthetic_id"]

SYNTHETIC_DOMAIN = "mailbot.invalid"
ANGLE_ID = re.compile(r"<([^<>]*)>")


def message_id(headers: Headers, raw: bytes) -> str:
    ids = ids_in(headers.first("message-id") or "")
    return ids[0] if ids else synthetic_id(raw)


def message_ids(headers: Headers, name: str) -> tuple[str, ...]:
    """All occurrences, in order, each id once (dict keeps insertion order and dedupes in O(n))."""
    ids: dict[str, None] = {}
    for value in headers.every(name):
        ids.update(dict.fromkeys(ids_in(value)))
    return tuple(ids)


def ids_in(value: str) -> list[str]:
    """"<...>" ids, whitespace inside removed; bare ids containing "@" are accepted and bracketed."""
    bracketed = ["".join(inner.split()) for inner in ANGLE_ID.findall(value)]
    if any(bracketed):
        return [f"<{i}>" for i in bracketed if i]
    return [f"<{token}>" for token in re.split(r"[\s,]+", value.strip(" \t<>")) if "@" in token]


def synthetic_id(raw: bytes) -> str:
    """Deterministic, so the same message fetched twice is recognised as the same message."""
    return f"<{hashlib.sha256(raw).hexdigest()[:32]}@{SYNTHETIC_DOMAIN}>"
