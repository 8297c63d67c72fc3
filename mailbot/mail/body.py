"""The body of a message: its readable text, its attachments, the delivery reports and returned messages in it.

The stdlib's tree is walked by hand because charset recovery, DSN blocks and attachment sizes are what the
ready-made walkers do not do or do lossily.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from email.parser import HeaderParser

from mailbot.mail.charsets import decode_bytes, normalise_newlines
from mailbot.mail.delivery import DSN_TYPES, delivery_statuses
from mailbot.mail.headers import decode_header_value
from mailbot.mail.htmltext import html_to_text
from mailbot.mail.ids import ids_in
from mailbot.mail.message import Attachment, DeliveryStatus
from mailbot.mail.payload import payload_bytes, size
from mailbot.mail.uuencode import extract_uuencoded

__all__ = ["Body", "walk"]

log = logging.getLogger(__name__)

# Deeper nesting or more parts than this is an attack or a loop, not correspondence.
_MAX_DEPTH = 40
_MAX_PARTS = 2000

_BODY_TYPES = frozenset({"text/plain", "text/html"})
_RETURNED_TYPES = frozenset({"message/rfc822", "text/rfc822-headers", "message/rfc822-headers"})


@dataclass(slots=True)
class Body:
    plain: list[tuple[bytes, str | None]] = field(default_factory=list)
    html: list[tuple[bytes, str | None]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    statuses: list[DeliveryStatus] = field(default_factory=list)
    attached_ids: list[str] = field(default_factory=list)
    parts: list[Message] = field(default_factory=list, repr=False)  # each MIME attachment's part, in that order

    @property
    def has_html(self) -> bool:
        return bool(self.html)

    def text(self, guesses: tuple[str, ...]) -> str:
        """Plain parts win; HTML is converted only when the plain parts say nothing."""
        plain = [self._plain_text(data, charset, guesses) for data, charset in self.plain]
        plain = [t for t in plain if t.strip()]
        if plain:
            return "\n\n".join(plain)
        html = [html_to_text(decode_bytes(data, charset, guesses)) for data, charset in self.html]
        return "\n\n".join(t for t in html if t.strip())

    def _plain_text(self, data: bytes, charset: str | None, guesses: tuple[str, ...]) -> str:
        text = normalise_newlines(decode_bytes(data, charset, guesses))
        if "begin " in text:
            text = extract_uuencoded(text, self.attachments)
        return text


def walk(msg: Message) -> Body:
    body = Body()
    for part, in_attachment in _leaves(msg):
        try:
            _classify(part, in_attachment, body)
        except Exception:  # noqa: BLE001 - one broken part must not cost us the rest of the message
            log.info("skipping unreadable MIME part", exc_info=True)
    return body


def _leaves(msg: Message) -> Iterator[tuple[Message, bool]]:
    """Depth-first leaves, iteratively: the stdlib walk() recurses, and nesting depth is the sender's choice.

    message/* parts are leaves: an attached or bounced message is an attachment, not our body.
    """
    stack: list[tuple[Message, int, bool]] = [(msg, 0, False)]
    count = 0
    while stack and count < _MAX_PARTS:
        part, depth, in_attachment = stack.pop()
        count += 1
        if not part.is_multipart() or part.get_content_maintype() == "message":
            yield part, in_attachment
        elif depth < _MAX_DEPTH:
            inside = in_attachment or part.get_content_disposition() == "attachment"
            children = [child for child in part.get_payload() if isinstance(child, Message)]
            stack.extend((child, depth + 1, inside) for child in reversed(children))


def _classify(part: Message, in_attachment: bool, body: Body) -> None:
    content_type = part.get_content_type()
    if content_type in DSN_TYPES:
        body.statuses.extend(delivery_statuses(part))
        return
    if content_type in _RETURNED_TYPES:
        body.attached_ids.extend(_returned_message_ids(part))
    filename = _filename(part)
    if _is_body_text(part, content_type, filename, in_attachment):
        data = payload_bytes(part)
        target = body.html if content_type == "text/html" else body.plain
        target.append((data, part.get_content_charset()))
        return
    body.attachments.append(Attachment(filename=filename, content_type=content_type, size=size(part)))
    body.parts.append(part)


def _returned_message_ids(part: Message) -> list[str]:
    """The Message-ID of an attached or bounced-back message: how a bounce finds the reply it returns."""
    payload = part.get_payload()
    if isinstance(payload, list):
        inner = next((p for p in payload if isinstance(p, Message)), None)
        value = inner.get("Message-ID") if inner is not None else None
    else:
        text = payload_bytes(part).decode("utf-8", "replace")
        value = HeaderParser().parsestr(text, headersonly=True).get("Message-ID")
    return ids_in(decode_header_value(str(value)))[:1] if value else []


def _is_body_text(part: Message, content_type: str, filename: str | None, in_attachment: bool) -> bool:
    """Inline text/plain or text/html; a multipart whose boundary is missing is text too (its body is)."""
    if in_attachment:
        return False
    disposition = part.get_content_disposition()
    if disposition == "attachment" or (filename and disposition != "inline"):
        return False
    return content_type in _BODY_TYPES or part.get_content_maintype() == "multipart"


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001 - malformed RFC 2231 parameters raise from deep in the stdlib
        return None
    if not name:
        return None
    return decode_header_value(str(name)) or None
