"""The immutable value every later step reads instead of the raw bytes.

Parsing happens once, at the edge; rules, threading and templates work on this value so they can be tested
with plain data and never touch MIME.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str | None
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    """One recipient block of an RFC 3464 delivery report (or an Exim-style X-Failed-Recipients)."""

    recipient: str | None
    status: str | None  # "5.1.1", "4.4.0", …
    action: str | None  # "failed", "delayed", …

    @property
    def permanent(self) -> bool:
        return bool(self.status and self.status.startswith("5")) or (self.action or "").lower() == "failed"


@dataclass(frozen=True, slots=True)
class InboundMessage:
    message_id: str  # always "<…>"; synthesised from a hash of the raw bytes when the header is missing
    sender: str | None  # bare From address, as written (compare with .lower())
    display_name: str | None  # From display name, decoded
    reply_to: tuple[str, ...] = ()
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    subject: str = ""
    in_reply_to: tuple[str, ...] = ()  # Message-IDs, each "<…>"
    references: tuple[str, ...] = ()  # Message-IDs, each "<…>", oldest first
    date: datetime | None = None  # the Date header; never the date of receipt (that is INTERNALDATE)
    text: str = ""  # text body; HTML-only mail converted to text
    has_html: bool = False
    attachments: tuple[Attachment, ...] = ()
    content_type: str = "text/plain"  # top-level type, lower case
    return_path: str | None = None  # None when absent; "" for the null sender "<>"
    delivery_status: tuple[DeliveryStatus, ...] = ()
    attached_message_ids: tuple[str, ...] = ()  # Message-IDs of attached/returned messages (a bounce's original)
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # (lower-case name, decoded value)

    def header(self, name: str) -> str | None:
        """First value of a header, or None."""
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def header_all(self, name: str) -> tuple[str, ...]:
        name = name.lower()
        return tuple(value for key, value in self.headers if key == name)

    def has_header(self, name: str) -> bool:
        return self.header(name) is not None

    @property
    def correspondence_address(self) -> str | None:
        """Where a reply goes: Reply-To when present (FOIA s8(1)(b) accepts either), else From."""
        return self.reply_to[0] if self.reply_to else self.sender
