"""An elected member asks for a constituent: a councillor's or an MP's casework.

A councillor or MP who writes "a constituent of mine has asked me to find out…" or "on behalf of my constituent"
may be making an FOI request, passing on the constituent's, or asking as a member: councillors have a common-law
"need to know" and authorities answer members' and MPs' enquiries outside FOIA (ICO guidance on requests by
elected representatives). Which it is, and who the applicant is, is the authority's call, so no automatic reply:
staff decide, with the due date an FOI request would have. The evidence is the member's own words about the
constituent; a councillor writing for themselves under FOIA says nothing of one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "for-constituent"
DESCRIPTION = "An elected member asks for a constituent (casework, or FOI?): staff decide who asks and under what."
ROBOT = False

_CONSTITUENT = re.compile(
    r"\b(?:(?:my|our|a|one of my|one of our) constituents?(?: of (?:mine|ours))?"
    r"|(?:on behalf of|for|from) (?:my|our|a|several|some|local) constituents?"
    r"|etholwr|etholwyr)\b",  # Welsh: constituent(s)
    re.I)


def check(facts: Facts) -> str | None:
    found = _CONSTITUENT.search(facts.body)
    if not found:
        return None
    return (f"an elected member writes for a constituent (\"{' '.join(found.group(0).split())}\"): a member's "
            "enquiry or an FOI request, and whose, is for staff to decide")
