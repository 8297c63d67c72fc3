"""A person's message locked in a secure-mail service: "You have received a secure email from r.patel@…".

Egress, Proofpoint Encryption, Microsoft Purview Message Encryption, Galaxkey and Cisco's envelope service send
such a notice from their own notification address in place of the message: a solicitor's subject access request
or a citizen's letter may be inside. The notice comes from a robot's address, but a person wrote what it carries,
so it is never recorded as robot mail: staff sign in and read it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "secure-message"
DESCRIPTION = "A secure-mail service's notice of a person's encrypted message: a person's mail, read by staff."
ROBOT = False

SECURE = re.compile(
    r"\b(?:you\s+have|you've)\s+received\s+an?\s+(?:new\s+)?(?:secure|encrypted|protected|confidential)\s+(?:e-?mail|message)"
    r"|\bsent\s+you\s+an?\s+(?:secure|encrypted|protected|confidential)\s+(?:e-?mail|message)"
    r"|\bto\s+(?:read|view|open)\s+(?:this|the|your)\s+(?:secure|encrypted|protected|confidential)\s+(?:e-?mail|message)",
    re.I)


def check(facts: Facts) -> str | None:
    found = SECURE.search(facts.body)
    if not found:
        return None
    return (f"a person's message held by a secure-mail service (\"{' '.join(found.group(0).split())}\"): staff "
            "sign in and read it")
