"""One attachment's bytes, for staff to download: found by the same walk that listed it (body.py), so the n-th
attachment a page shows is the n-th one served. Attachments taken out of uuencoded text are listed, not served."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message

from mailbot.mail.body import walk
from mailbot.mail.parse import stdlib_parse
from mailbot.mail.payload import payload_bytes


@dataclass(frozen=True)
class AttachmentContent:
    filename: str | None
    content_type: str
    data: bytes


def _data(part: Message) -> bytes:
    if part.get_content_maintype() == "message":  # an attached message: its own bytes, as it was sent
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            return inner[0].as_bytes()
    return payload_bytes(part)


def attachment(raw: bytes, index: int) -> AttachmentContent | None:
    if index < 0:
        return None
    body = walk(stdlib_parse(raw))
    if index >= len(body.parts):
        return None
    found = body.attachments[index]
    return AttachmentContent(found.filename, found.content_type, _data(body.parts[index]))


__all__ = ["AttachmentContent", "attachment"]
