"""The writer asks about our mailbox address itself: whether it is the right one to send requests to.

"Could you confirm that foi@council.example.gov.uk is still the right address for FOI requests?" names FOI
requests, but asks how to reach the authority, not for recorded information: advice and assistance (FOIA s16),
business as usual for staff. A sentence that holds our own mailbox address and asks whether it is right, current
or the one to use is the evidence; the address in a signature or a quoted header asks nothing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "asks-about-our-address"
DESCRIPTION = "Asks whether our mailbox address is the right one to use: advice (FOIA s16), not information."
ROBOT = False

_ABOUT = re.compile(r"\b(?:right|correct|current|valid|best|still|proper|appropriate)\b|\bstill\s+(?:in\s+use|used)\b"
                    r"|\bshould\s+(?:we|i|requests)\b", re.I)


def check(facts: Facts) -> str | None:
    mailbox = (facts.settings.mailbox or "").lower()
    if not mailbox:
        return None
    for sentence in re.split(r"(?<=[.?!])\s+|\n\s*\n", facts.body):
        if mailbox in sentence.lower() and _ABOUT.search(sentence) and ("?" in sentence or re.search(
                r"\b(?:confirm|let us know|let me know|tell us|tell me)\b", sentence, re.I)):
            return (f"asks about our own address (\"{' '.join(sentence.split())[:100]}\"): how to reach us, not "
                    "recorded information")
    return None
