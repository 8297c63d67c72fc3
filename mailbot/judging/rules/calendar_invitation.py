"""A calendar invitation or reply (a text/calendar part, RFC 5545/6047 iMIP): a meeting, not a request."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "calendar-invitation"
DESCRIPTION = "A calendar invitation or reply (a text/calendar part, RFC 5545/6047 iMIP): a meeting, not a request."
ROBOT = False

CALENDAR_TYPES = frozenset({"text/calendar", "application/ics", "text/x-vcalendar", "application/x-ical"})
CALENDAR_FILES = (".ics", ".vcs")


def check(facts: Facts) -> str | None:
    for part in facts.msg.attachments:
        name = (part.filename or "").lower()
        if part.content_type in CALENDAR_TYPES or name.endswith(CALENDAR_FILES):
            return f"a calendar invitation or reply ({part.content_type}{', ' + name if name else ''})"
    content_class = (facts.msg.header("content-class") or "").lower()
    if "calendarmessage" in content_class:
        return "a calendar invitation or reply (Content-Class: calendarmessage)"
    return None
