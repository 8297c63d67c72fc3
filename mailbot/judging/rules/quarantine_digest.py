"""Security-gateway quarantine digests: "you have N messages held", from Barracuda, Mimecast, Proofpoint, Exchange
Online Protection, Sophos and the like.

They list mail the gateway held and invite the recipient to release it; they are addressed to every mailbox
behind the gateway, the FOI one included. Nobody wrote them, and releasing held mail is for staff to do.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "quarantine-digest"
DESCRIPTION = "A security gateway's quarantine digest (Barracuda, Mimecast, Proofpoint, Exchange Online, Sophos)."
ROBOT = True

_SUBJECT = re.compile(
    r"\b(quarantine[d]?\s+(summary|digest|report|notification|notice|messages?)"
    r"|(spam|message|e-?mail)\s+quarantine\s+(summary|digest|report|notification)"
    r"|end\s+user\s+digest|held\s+messages?\s+(digest|summary|notification)|messages?\s+(held\s+)?in\s+quarantine"
    r"|you\s+have\s+\d+\s+(new\s+)?(messages?|e-?mails?)\s+(in\s+quarantine|held|quarantined|blocked)"
    r"|spam\s+notification\s*:\s*\d+\s+new\s+messages?|hold\s+for\s+review\s+digest"
    r"|blocked\s+(messages?|e-?mails?)\s+(summary|report|digest))",
    re.I,
)
_SENDER = re.compile(r"^(quarantine|spam-?quarantine|quarantine-?digest|spamdigest|digest-noreply|"
                     r"quarantine[-_.]?notification)s?$", re.I)


def check(facts: Facts) -> str | None:
    msg = facts.msg
    found = _SUBJECT.search(msg.subject)
    if found:
        return f"a security gateway's quarantine digest ({found.group(0)!r} in the subject)"
    local = (msg.sender or "").rsplit("@", 1)[0]
    if local and _SENDER.match(local):
        return f"a security gateway's quarantine digest (from {local}@…)"
    return None
