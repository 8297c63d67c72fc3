"""mail-parser's readings of the address and date headers, and nothing else of it.

Its structural address recovery and its decoding of encoded words in display names are better than the stdlib's;
on a whole message it keeps several copies of every body and attachment and decodes bodies lossily, so it is
given the five headers it is good at and no more.
"""

from __future__ import annotations

import email
import logging
from dataclasses import dataclass
from datetime import datetime

from mailparser.dates import parse_mail_date
from mailparser.utils import get_addresses

from mailbot.mail.headers import Headers

__all__ = ["MAX_MAILPARSER_HEADER", "MailParserView", "mailparser_view"]

log = logging.getLogger(__name__)

# An address header longer than this is not correspondence; it goes to the plain stdlib path.
MAX_MAILPARSER_HEADER = 64 * 1024
_MAILPARSER_FIELDS = ("from", "reply-to", "to", "cc")


@dataclass(frozen=True, slots=True)
class MailParserView:
    addresses: dict[str, list[tuple[str, str]]]
    date: datetime | None


def mailparser_view(headers: Headers) -> MailParserView | None:
    """mail-parser's readings of the address headers and the date, from the functions its MailParser calls for
    them (get_addresses, parse_mail_date) on the same header values: the whole MailParser would also rebuild the
    body, attachments and defect lists we never read, and cost more than the rest of parsing.

    None means "use the stdlib answer", whether mail-parser raised or was never asked.
    """
    block = _mailparser_block(headers)
    if not block:
        return None
    try:
        message = email.message_from_bytes(block)
        values: dict[str, str] = {}
        for name, value in message.items():  # the first of each, as MailParser takes
            values.setdefault(name.lower(), value)
        addresses = {}
        for name in _MAILPARSER_FIELDS:
            found = get_addresses(values[name], decode_names=True) if name in values else []
            addresses[name] = [("" if display == address else display, address)
                               for display, address in found if address]
        raw_date = next((value for name, value in message.raw_items() if name.lower() == "date"), None)
        date = parse_mail_date(raw_date).value if raw_date is not None else None
        return MailParserView(addresses=addresses, date=date if isinstance(date, datetime) else None)
    except Exception:  # noqa: BLE001 - mail-parser improves quality; it is never a requirement
        log.info("mail-parser failed on the headers; using the stdlib only", exc_info=True)
        return None


def _mailparser_block(headers: Headers) -> bytes:
    """The first From/Reply-To/To/Cc/Date, when ASCII and of sane length (8-bit ones it renders as escapes)."""
    lines = []
    for name in (*_MAILPARSER_FIELDS, "date"):
        value = headers.first_raw(name)
        if value is not None and value.isascii() and len(value) <= MAX_MAILPARSER_HEADER:
            lines.append(f"{name}: {value.strip()}\n")
    return "".join(lines).encode("ascii")
