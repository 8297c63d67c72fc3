"""An elected member asks for a constituent, or in the role: a councillor's or an MP's casework.

A councillor or MP who writes "a constituent of mine has asked me to find out…" or "on behalf of my constituent"
may be making an FOI request, passing on the constituent's, or asking as a member: councillors have a common-law
"need to know" and authorities answer members' and MPs' enquiries outside FOIA (ICO guidance on requests by
elected representatives). Which it is, and who the applicant is, is the authority's call, so no automatic reply:
staff decide, with the due date an FOI request would have. The evidence is the member's own words about the
constituent, or about the role ("as ward councillor I would like to know", "in my capacity as the local MP"); a
councillor writing as a member of the public says neither.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "member-enquiry"
DESCRIPTION = "An elected member asks for a constituent or in the role (casework, or FOI?): staff decide."
ROBOT = False

_CONSTITUENT = re.compile(
    r"\b(?:(?:my|our|a|one of my|one of our) constituents?(?: of (?:mine|ours))?"
    r"|(?:on behalf of|for|from) (?:my|our|a|several|some|local) constituents?"
    r"|etholwr|etholwyr"  # Welsh: constituent(s)
    r"|(?:as|in my (?:role|capacity) as) (?:(?:a|the|your|their|our|my) )?(?:local |ward |county |borough |district "
    r"|town |parish |city |division |cabinet |opposition )*(?:councillor|cllr|member of parliament|(?-i:MP|MS)"
    r"|member of the senedd|ward member|portfolio holder|cabinet member))\b",
    re.I)


def check(facts: Facts) -> str | None:
    found = _CONSTITUENT.search(facts.body)
    if not found:
        return None
    words = " ".join(found.group(0).split())
    return (f"an elected member writes for a constituent or in the role (\"{words}\"): a member's enquiry or an FOI "
            "request, and whose, is for staff to decide")
