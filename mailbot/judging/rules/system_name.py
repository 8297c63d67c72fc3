"""A From display name that names a system, not a person: "Mail Delivery System", "Postmaster", "… Newsletter".

Mail servers, filters and services sign their notices with their own names ("Mail Delivery Subsystem",
"Microsoft Outlook", "OpenDMARC Filter", "Rackspace FBL Service"). Such a name is nobody to write to, and it must
never pass for an applicant's full name (FOIA s8(1)(b)).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "system-name"
DESCRIPTION = "The sender's display name is a system's (Mail Delivery System, Postmaster, … Newsletter, … Filter)."
ROBOT = True

SYSTEM_NAMES = re.compile(
    r"^\s*("
    r"mail\s+delivery(\s+(system|subsystem|service|failure))?|mail(er)?[\s_-]*daemon|post[\s_-]*master"
    r"|microsoft\s+outlook|microsoft\s+exchange|mail\s+(system|administrator|server|gateway)|mailer"
    r"|system\s+administrator|e-?mail\s+delivery\s+(system|service)|delivery\s+status\s+notification"
    r"|.*(dmarc|spam|mail|content|junk)\s+filter|.*\bfbl\b.*|.*\bfeedback\s+loop\b.*"
    r"|.*\bnewsletters?|.*\bno[\s_.-]?reply\b.*|.*\bdo[\s_.-]?not[\s_.-]?reply\b.*"
    r"|.*\b(automated|automatic)\s+(notifications?|messages?|mail)"
    r")\s*$",
    re.I,
)


def is_system_name(display: str | None) -> bool:
    """Also asked by facts.py: such a display name is never read as the applicant's name."""
    return bool(display and SYSTEM_NAMES.match(display))


def check(facts: Facts) -> str | None:
    display = facts.msg.display_name or ""
    if is_system_name(display):
        return f"the sender's name {display.strip()[:60]!r} is a system's, not a person's"
    return None
