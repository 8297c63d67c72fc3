"""The Date header as an aware datetime, or None."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime

from mailbot.mail.headers import Headers
from mailbot.mail.mailparser_view import MailParserView

__all__ = ["date"]


def date(headers: Headers, view: MailParserView | None) -> datetime | None:
    """stdlib first because it keeps the sender's UTC offset; mail-parser's stricter parse as fallback."""
    value = headers.first("date")
    if not value:
        return None
    parsed: datetime | None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError, IndexError):
        parsed = view.date if view is not None else None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
