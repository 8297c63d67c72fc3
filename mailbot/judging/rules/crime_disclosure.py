"""A police force's (or another investigator's) request for personal data to prevent or detect crime.

A force asking for CCTV or a resident's records "under Schedule 2, Part 1, paragraph 2 of the Data Protection Act
2018" (or section 29 of the 1998 Act, as forms still say) is asking the authority to use a data protection
exemption, not making an FOIA request: disclosure is decided case by case by staff or the data protection officer,
and an acknowledgement promising a 20-working-day FOIA answer would be wrong. The evidence is the law it cites (its
own words), or an investigator's words about the prevention or detection of crime; staff decide.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "crime-disclosure"
DESCRIPTION = "Asks for disclosure under the DPA 2018 crime exemption (Schedule 2 para 2, s29): not FOIA; staff."
ROBOT = False

_CITED = re.compile(
    r"\b(?:schedule|sch\.?)\s*2\b[^.?!]{0,40}?\b(?:part|pt\.?)\s*1\b[^.?!]{0,30}?\b(?:paragraph|para\.?)\s*2\b"
    r"|\b(?:paragraph|para\.?)\s*2\s+of\s+schedule\s*2\b"
    r"|\b(?:section|s\.?)\s*29\s*(?:\(\s*3\s*\)\s*)?(?:of\s+the\s+)?(?:data\s+protection\s+act|dpa)\b"
    r"|\b(?:i\s+am|we\s+are)\s+investigating\b[^.?!]{0,200}?\bprevention\s+(?:and|or)\s+detection\s+of\s+crime\b"
    r"|\bprevention\s+(?:and|or)\s+detection\s+of\s+crime\b[^.?!]{0,200}?\b(?:i\s+am|we\s+are)\s+investigating\b",
    re.I | re.S)


# "How many requests under Schedule 2… did the police make?" asks about such requests: an FOI question.
_ABOUT_SUCH_REQUESTS = re.compile(r"\b(?:how many|number of|statistics|figures|breakdown)\b[^.?!]*$", re.I)


def check(facts: Facts) -> str | None:
    found = _CITED.search(facts.body)
    if not found or _ABOUT_SUCH_REQUESTS.search(facts.body[max(0, found.start() - 120):found.start()]):
        return None
    words = " ".join(found.group(0).split())[:100]
    return (f"asks for disclosure under the Data Protection Act's crime exemption (\"{words}\"), not under FOIA: "
            "staff or the data protection officer decide")
