"""The regulator's casework: the Information Commissioner (or the Scottish Information Commissioner) investigating a
complaint, serving an information or decision notice, or asking for submissions. It asks the authority for things
— its submissions, the withheld information — but as the regulator under FOIA s50-s52, not as an applicant under
s1: staff answer it, and an automatic acknowledgement with an enquiry reference would be wrong. The evidence is
the Commissioner's own wording and case references (the ICO's "IC-381245-K7Q2", the SIC's "2026/01234").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "regulator-casework"
DESCRIPTION = "The Information Commissioner's casework (a complaint, a notice, submissions): staff answer it."
ROBOT = False

_COMMISSIONER = r"(?:the\s+)?(?:scottish\s+)?information\s+commissioner(?:'s|’s)?(?:\s+office)?|\bico\b|\bsic\b"
CASEWORK = re.compile(
    rf"(?:{_COMMISSIONER})\s+(?:has|have)\s+(?:received|accepted)\s+(?:a|an)\s+(?:complaint|appeal|application)"
    rf"|\b(?:decision|information|enforcement)\s+notice\s+(?:under|issued|served)\s+(?:section|s\.?)\s*5[0-4]\b"
    r"|\b(?:please\s+)?(?:provide|send)\s+(?:us\s+)?(?:with\s+)?your\s+submissions\b"
    r"|\bIC-\d{5,7}-[A-Z0-9]{4}\b",
    re.I)


def check(facts: Facts) -> str | None:
    found = CASEWORK.search(f"{facts.msg.subject}\n{facts.body}")
    if not found:
        return None
    return f"the Information Commissioner's casework (\"{' '.join(found.group(0).split())}\"): staff answer it"
