"""A MIME part's bytes and size, read leniently and without the copies the stdlib would make."""

from __future__ import annotations

from email.message import Message

__all__ = ["payload_bytes", "size"]


def payload_bytes(part: Message) -> bytes:
    """Transfer-decoded bytes; the stdlib is lenient with broken base64/QP and returns 8-bit bodies as-is."""
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - uuencode and odd CTEs can raise
        data = None
    if isinstance(data, bytes):
        return data
    return _undecoded_payload(part).encode("utf-8", "surrogateescape")


def _undecoded_payload(part: Message) -> str:
    """The stored payload string. get_payload() would decode 8-bit bodies with the declared charset,
    which copies the body and raises for codecs such as "undefined"."""
    payload = getattr(part, "_payload", None)
    return payload if isinstance(payload, str) else ""


def size(part: Message) -> int:
    if part.is_multipart():
        return _flattened_size(part)
    if str(part.get("content-transfer-encoding", "")).strip().lower() == "base64":
        return _base64_size(_undecoded_payload(part))
    return len(payload_bytes(part))


def _base64_size(payload: str) -> int:
    """Decoded size counted, not decoded: decoding a large attachment just to measure it makes the stdlib build
    transient copies of it (docs/operations.md). Exact for well-formed base64."""
    symbols = len(payload) - sum(payload.count(c) for c in "\r\n \t=")
    return symbols * 3 // 4


def _flattened_size(part: Message) -> int:
    try:
        return sum(len(inner.as_bytes()) for inner in part.get_payload() if isinstance(inner, Message))
    except Exception:  # noqa: BLE001 - re-serialising broken mail can fail; size is only informative
        return 0
