"""Who a bounce says could not be reached, and why: DSN blocks (RFC 3464), Exim's X-Failed-Recipients, and for
the many bounces that carry neither (qmail, old Sendmail, Exchange 5.5, Yahoo, Postfix's plain notices…)
flufl.bounce, GNU Mailman's bounce detector, which knows their formats: measured against our own reading in
docs/robot-mail.md ("Measured"), it finds the failed address in far more of them; ours stays first where the
report is standard."""

from __future__ import annotations

import email
import logging
import re
from email.message import Message
from email.policy import compat32

from mailbot.mail.addresses import loose_addresses
from mailbot.mail.charsets import decode_bytes, normalise_newlines
from mailbot.mail.headers import Headers, decode_header_value, raw_header
from mailbot.mail.message import DeliveryStatus
from mailbot.mail.payload import payload_bytes

__all__ = ["DSN_TYPES", "delivery_statuses", "exim_failures", "heuristic_failures", "looks_returned"]

# flufl.bounce logs every detector it tries at INFO; only its warnings are worth our logs.
logging.getLogger("flufl.bounce").setLevel(logging.WARNING)

DSN_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})
_STATUS_CODE = re.compile(r"\b[245]\.\d{1,3}\.\d{1,3}\b")


def delivery_statuses(part: Message) -> list[DeliveryStatus]:
    statuses = []
    for block in _dsn_blocks(part):
        original = _dsn_field(block, "original-recipient")
        recipient = _address_typed(original) or _dsn_field(block, "final-recipient") or original
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


def _address_typed(value: str | None) -> str | None:
    """Original-Recipient when it is an internet address: the address as we wrote it (RFC 3464 §2.3.1), where
    Final-Recipient may be a rewritten alias, a local mailbox or an X.400 name (flufl.bounce reads it first too)."""
    if value and "@" in value and (";" not in value or value.split(";", 1)[0].strip().lower() == "rfc822"):
        return value
    return None


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


_DAEMON = re.compile(r"^\s*\"?(mailer[-_]?daemon|post[-_]?master|mdaemon)\b", re.I)
_RETURNED_SUBJECT = re.compile(
    r"\b(undeliver(able|ed)|non-?delivery|delivery\s+(status|failure|failed|notification|problem|error)"
    r"|returned\s+(mail|message)|failure\s+notice|mail\s+delivery|could\s+not\s+be\s+delivered"
    r"|user\s+unknown|delivery\s+to\s+the\s+following)", re.I)


def looks_returned(headers: Headers, content_type: str) -> bool:
    """Whether the envelope, the sender or the type says a mail system sent this: only such mail is worth the
    heuristic detectors, which read any text and cost a pass each."""
    if content_type == "multipart/report" or _RETURNED_SUBJECT.search(headers.first("subject") or ""):
        return True
    return_path = (headers.first("return-path") or "").strip(" \t<>")
    if return_path == "" and headers.first("return-path") is not None:
        return True
    return any(_DAEMON.match(value) for value in (return_path, headers.first("from") or "")) or any(
        _DAEMON.match(address) for _, address in loose_addresses(headers.first("from") or ""))


# A bounce says whom it failed in its first few kilobytes; what follows is the returned message. flufl.bounce's
# detectors read every line of every text part, at a cost that grows with the message (docs/robot-mail.md).
HEURISTIC_BYTES = 128 * 1024


def heuristic_failures(raw: bytes) -> tuple[DeliveryStatus, ...]:
    """The failed recipients flufl.bounce's detectors find in the start of the message: permanent ones as
    "failed", temporary ones as "delayed"."""
    try:
        from flufl.bounce import all_failures  # imported for bounces only: `check` starts faster

        temporary, permanent = all_failures(email.message_from_bytes(raw[:HEURISTIC_BYTES], policy=compat32))
    except Exception:  # noqa: BLE001 - a detector that trips over a malformed bounce has found nothing
        return ()
    found = [(a, "failed") for a in sorted(permanent)] + [(a, "delayed") for a in sorted(temporary - permanent)]
    return tuple(DeliveryStatus(recipient=address.decode("utf-8", "replace"), status=None, action=action)
                 for address, action in found)
