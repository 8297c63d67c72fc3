"""A From display name that names a system, not a person: "Mail Delivery System", "Postmaster", "… Newsletter".

Mail servers, filters and services sign their notices with their own names ("Mail Delivery Subsystem",
"Microsoft Outlook", "OpenDMARC Filter", "Rackspace FBL Service"). Such a name is nobody to write to, and it must
never pass for an applicant's full name (FOIA s8(1)(b)).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.judging.readers.name_words import is_system_name

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "system-name"
DESCRIPTION = "The sender's display name is a system's (Mail Delivery System, Postmaster, … Newsletter, … Filter)."
ROBOT = True

def check(facts: Facts) -> str | None:
    display = facts.msg.display_name or ""
    if is_system_name(display):
        return f"the sender's name {display.strip()[:60]!r} is a system's, not a person's"
    return None
