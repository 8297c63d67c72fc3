"""Challenge-response robots: "please confirm your message" before the recipient's filter lets it through.

Spam Arrest, Boxbe, Bluebottle, MailChannels' sender verification, TMDA and the like answer unknown senders with a
request to click a link or reply. Answering the challenge is the one thing a mailbox bot must never do (it would
whitelist itself into a loop); the request it stands for reaches staff through its original, if ever.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "challenge-response"
DESCRIPTION = "A challenge-response robot asking the sender to confirm or verify a message."
ROBOT = True

_HEADERS = ("x-challenge", "x-challenge-response", "x-boxbe-verification", "x-tmda-confirm", "x-spamarrest-noauth")
_HEADER_PREFIXES = ("x-boxbe-", "x-spamarrest-", "x-bluebottle-")
_DOMAINS = re.compile(r"(^|\.)(spamarrest\.com|boxbe\.com|bluebottle\.com|mailchannels\.(net|com)|sendio\.com|"
                      r"mailblocks\.com|choicemail\.com)$", re.I)
_SUBJECT = re.compile(
    r"^\s*((please\s+)?(confirm|verify)\s+(that\s+)?(your|you\s+sent\s+(this|the|your))\s+(e-?mail|message)"
    r"|(sender|e-?mail)\s+verification(\s+(required|request|needed))?\s*($|[:\-])"
    r"|your\s+(e-?mail|message)\s+(to\s+\S+\s+)?(is\s+)?(awaiting|requires|needs)\s+(your\s+)?"
    r"(verification|confirmation)"
    r"|(please\s+)?(verify|confirm)\s+you\s+are\s+(a\s+)?(human|real\s+person))",
    re.I)


def check(facts: Facts) -> str | None:
    msg = facts.msg
    for name, _ in msg.headers:
        if name in _HEADERS or name.startswith(_HEADER_PREFIXES):
            return f"challenge-response robot (header {name})"
    domain = (msg.sender or "").rpartition("@")[2]
    if domain and _DOMAINS.search(domain):
        return f"challenge-response service ({domain})"
    if _SUBJECT.search(msg.subject):
        return f"challenge-response subject {msg.subject.strip()[:60]!r}"
    return None
