"""An attendee's answer to a meeting invitation (iTIP METHOD:REPLY, RFC 5546 3.2.3): made by the calendar client
when someone clicks Accept or Decline, addressed to the organiser's calendar. Nothing in it is for a reply: it is
recorded, and staff see it, but answering would only start a loop between two calendars.

The evidence is the calendar part's `method` parameter (RFC 6047 2.4 requires it); a client that omits it still
writes the subject its users know ("Accepted:", "Declined:", "Tentative:"), which counts only beside a calendar part.
An invitation (REQUEST) or cancellation is someone's meeting, not an answer: `calendar-invitation` reads those.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mailbot.judging.rules.calendar_invitation import CALENDAR_FILES, CALENDAR_TYPES

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "calendar-reply"
DESCRIPTION = "An attendee's Accept/Decline (iTIP METHOD:REPLY): the calendar client's answer, never answered."
ROBOT = True

# The subjects Outlook, Exchange, Google Calendar and Apple Calendar give a REPLY, in the languages they ship.
_REPLY_SUBJECT = re.compile(
    r"^\s*(?:accepted|declined|tentative|tentatively accepted|angenommen|abgelehnt|mit vorbehalt angenommen"
    r"|accept[ée]|refus[ée]|provisoire|aceptad[oa]|rechazad[oa]|provisional|geaccepteerd|geweigerd|voorlopig"
    r"|derbyniwyd|gwrthodwyd|wedi(?:'i)? (?:derbyn|gwrthod))\s*:", re.I)


def check(facts: Facts) -> str | None:
    calendar = [part for part in facts.msg.attachments
                if part.content_type in CALENDAR_TYPES or (part.filename or "").lower().endswith(CALENDAR_FILES)]
    for part in calendar:
        if part.method == "REPLY":
            return f"an attendee's answer to an invitation ({part.content_type}; method=REPLY, RFC 5546)"
    if calendar and (found := _REPLY_SUBJECT.match(facts.msg.subject)):
        return f"an attendee's answer to an invitation (a calendar part, subject {found.group(0).strip()!r})"
    return None
