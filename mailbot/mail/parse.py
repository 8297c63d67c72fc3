"""Raw RFC 5322 bytes in, one :class:`InboundMessage` out, whatever the bytes are.

A mailbox receives whatever the world sends: mbox spool lines, CRLF and bare LF, truncated multiparts,
charsets that lie or do not exist, addresses with half their angle brackets. Every later step depends on
this function returning *something*, so no exception may leave it; the worst case is a minimal message
that still carries the raw text and a stable Message-ID.

Division of labour, and why:

* mail-parser reads the address and date headers only (mailparser_view): its structural address recovery and its
  decoding of encoded words in display names are better than the stdlib's, but on a whole message it keeps
  several copies of every body and attachment, which breaks the memory budget for large mail, and it decodes
  bodies lossily. Given five headers it costs next to nothing.
* The stdlib parser (compat32) reads the whole message once; we walk that tree ourselves (body) because
  charset recovery (charsets), DSN blocks (delivery) and attachment sizes are what mail-parser does not do or
  does lossily.
* inscriptis turns HTML-only mail into text that keeps paragraph structure (htmltext).
"""

from __future__ import annotations

import logging
import re
from email.feedparser import BytesFeedParser
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32

from mailbot.mail import addresses, ids
from mailbot.mail.body import walk
from mailbot.mail.charsets import normalise_newlines
from mailbot.mail.dates import date
from mailbot.mail.delivery import exim_failures, heuristic_failures, looks_returned
from mailbot.mail.headers import Headers, header_charsets
from mailbot.mail.mailparser_view import mailparser_view
from mailbot.mail.message import InboundMessage

log = logging.getLogger(__name__)

__all__ = ["message_id_of", "parse_message"]

_FEED_CHUNK = 64 * 1024


def parse_message(raw: bytes) -> InboundMessage:
    """Never raises: a message we cannot read is still a message we must not lose."""
    try:
        return _parse(bytes(raw) if not isinstance(raw, bytes) else raw)
    except Exception:  # noqa: BLE001 - the contract is "no exception escapes", for any input
        log.warning("could not parse message; keeping it as raw text", exc_info=True)
    try:
        return _minimal(raw)
    except Exception:  # noqa: BLE001 - raw was not even bytes-like
        return InboundMessage(message_id=f"<{'0' * 32}@{ids.SYNTHETIC_DOMAIN}>", sender=None, display_name=None)


def message_id_of(raw: bytes) -> str:
    """The Message-ID parse_message would give, read from the header block alone: ingest deduplicates by it for
    every fetched message, so it must be cheap, and it must agree with the decision step."""
    try:
        blank = re.search(rb"\r?\n\r?\n", raw)
        head = raw[: blank.end()] if blank else raw
        msg = BytesHeaderParser(policy=compat32).parsebytes(head)
        return ids.message_id(Headers.of(msg), raw)
    except Exception:  # noqa: BLE001 - as parse_message: an unreadable message still gets a stable id
        return ids.synthetic_id(raw)


def _parse(raw: bytes) -> InboundMessage:
    msg = stdlib_parse(raw)
    headers = Headers.of(msg)
    view = mailparser_view(headers)
    sender_name, sender = addresses.sender(headers, view)
    body = walk(msg)
    text = body.text(header_charsets(headers))  # before attachments: inline uuencoded files join them here
    statuses = tuple(body.statuses) or exim_failures(headers)
    if not statuses and looks_returned(headers, msg.get_content_type()):
        statuses = heuristic_failures(raw)
    return InboundMessage(
        message_id=ids.message_id(headers, raw),
        sender=sender,
        display_name=sender_name,
        reply_to=addresses.address_tuple(headers, view, "reply-to"),
        to=addresses.address_tuple(headers, view, "to"),
        cc=addresses.address_tuple(headers, view, "cc"),
        subject=headers.first("subject") or "",
        in_reply_to=ids.message_ids(headers, "in-reply-to"),
        references=ids.message_ids(headers, "references"),
        date=date(headers, view),
        text=text,
        has_html=body.has_html,
        attachments=tuple(body.attachments),
        content_type=msg.get_content_type(),
        return_path=addresses.return_path(headers),
        delivery_status=statuses,
        attached_message_ids=tuple(dict.fromkeys(body.attached_ids)),
        headers=headers.decoded,
    )


def stdlib_parse(raw: bytes) -> Message:
    """Fed in chunks: parsebytes() would hold the whole message as one str plus a StringIO of it, a multiple
    of its size in peak memory on large mail (docs/operations.md)."""
    parser = BytesFeedParser(policy=compat32)
    for start in range(0, len(raw), _FEED_CHUNK):
        parser.feed(raw[start : start + _FEED_CHUNK])
    return parser.close()


def _minimal(raw: bytes) -> InboundMessage:
    """Last resort when even the stdlib parser failed: keep the bytes readable and the id stable."""
    return InboundMessage(
        message_id=message_id_of(bytes(raw)),  # the header block alone may still name it
        sender=None,
        display_name=None,
        text=normalise_newlines(bytes(raw).decode("utf-8", "replace")),
    )
