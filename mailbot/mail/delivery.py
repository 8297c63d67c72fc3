"""Who a bounce says could not be reached, and why: DSN blocks (RFC 3464) and Exim's X-Failed-Recipients."""

from __future__ import annotations

import email
import re
from email.message import Message

from mailbot.mail.addresses import loose_addresses
from mailbot.mail.charsets import decode_bytes, normalise_newlines
from mailbot.mail.headers import Headers, decode_header_value, raw_header
from mailbot.mail.message import DeliveryStatus
from mailbot.mail.payload import payload_bytes

__all__ = ["DSN_TYPES", "delivery_statuses", "exim_failures"]

DSN_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})
_STATUS_CODE = re.compile(r"\b[245]\.\d{1,3}\.\d{1,3}\b")


def delivery_statuses(part: Message) -> list[DeliveryStatus]:
    statuses = []
    for block in _dsn_blocks(part):
        recipient = _dsn_field(block, "final-recipient") or _dsn_field(block, "original-recipient")
        status = _dsn_field(block, "status")
        action = _dsn_field(block, "action")
        if recipient is None and status is None and action is None:
            continue  # the per-message block (Reporting-MTA, Arrival-Date)
        statuses.append(
            DeliveryStatus(
                recipient=_dsn_recipient(recipient),
                status=_dsn_status(status),
                action=action.lower() if action else None,
            )
        )
    return statuses


def _dsn_blocks(part: Message) -> list[Message]:
    """The stdlib already splits delivery-status into header blocks; a string payload we split ourselves."""
    if part.is_multipart():
        return [block for block in part.get_payload() if isinstance(block, Message)]
    text = normalise_newlines(decode_bytes(payload_bytes(part), part.get_content_charset()))
    return [email.message_from_string(chunk.strip("\n") + "\n") for chunk in re.split(r"\n[ \t]*\n", text)]


def _dsn_field(block: Message, name: str) -> str | None:
    value = raw_header(block, name)
    if value is None:
        return None
    return decode_header_value(value) or None


def _dsn_recipient(value: str | None) -> str | None:
    """"rfc822; user@example.com" -> "user@example.com"."""
    if not value:
        return None
    address = value.split(";", 1)[1] if ";" in value else value
    return address.strip(" \t<>") or None


def _dsn_status(value: str | None) -> str | None:
    if not value:
        return None
    code = _STATUS_CODE.search(value)
    return code.group() if code else value.split()[0]


def exim_failures(headers: Headers) -> tuple[DeliveryStatus, ...]:
    """Exim bounces carry no DSN part, only X-Failed-Recipients; Exim sends those for permanent failures."""
    recipients: dict[str, None] = {}
    for value in headers.every("x-failed-recipients"):
        recipients.update(dict.fromkeys(address for _, address in loose_addresses(value)))
    return tuple(DeliveryStatus(recipient=r, status="5.0.0", action="failed") for r in recipients)
