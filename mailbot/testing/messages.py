"""One request factory: a plausible FOI request as raw RFC 5322 bytes, every part overridable by keyword.

The defaults make a valid request under FOIA s8 (a full name, an address, a description), so a test changes only
the part it is about: `request(3, name="Sam")` for a first name only, `request(body="Hello")` for no description,
`request(headers={"Auto-Submitted": "auto-replied"})` for a robot. Numbers keep senders and Message-IDs distinct.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from mailbot.mail.message import InboundMessage
from mailbot.mail.parse import parse_message

MAILBOX = "foi@council.example"


def request(n: int = 1, *, name: str = "Jo Bloggs", sender: str | None = None, to: str = MAILBOX,
            subject: str | None = None, body: str | None = None, sign_off: str | None = None,
            message_id: str | None = None, tag: str = "req", date: datetime | None = None,
            headers: Mapping[str, str] | None = None) -> bytes:
    """Request number `n` from `name` <person{n}@example.org>: "Please send the gritting budget for year n."

    `sender` replaces the whole From address, `tag` the Message-ID's prefix (<{tag}-{n}@example.org>),
    `sign_off` the closing lines (default "Yours faithfully,\\n{name}"; "" for none); `headers` come before the
    Content-Type, in order. Lines end in CRLF, as on the wire.
    """
    from_ = f"{name} <{sender or f'person{n}@example.org'}>" if name else (sender or f"person{n}@example.org")
    lines = [f"From: {from_}", f"To: {to}", f"Subject: {subject if subject is not None else f'Request {n}'}",
             f"Message-ID: {message_id or f'<{tag}-{n}@example.org>'}"]
    if date is not None:
        lines.append(f"Date: {format_datetime(date)}")
    lines += [f"{key}: {value}" for key, value in (headers or {}).items()]
    lines.append("Content-Type: text/plain; charset=utf-8")
    text = body if body is not None else f"Please send the gritting budget for year {n}."
    closing = sign_off if sign_off is not None else f"Yours faithfully,\n{name}"
    content = f"{text}\n\n{closing}" if closing else text
    return ("\r\n".join(lines) + "\r\n\r\n" + content.replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n").encode()


def inbound(n: int = 1, **overrides: Any) -> InboundMessage:
    """The same request parsed, as the judge sees it: `inbound(name="Sam")`."""
    return parse_message(request(n, **overrides))
