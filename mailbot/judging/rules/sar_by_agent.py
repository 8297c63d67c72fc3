"""A subject access request sent by someone acting for the data subject: a portal, a solicitor, a representative.

The right of access is the data subject's; a third party may exercise it for them, but the controller must be
satisfied that the third party is entitled to act (ICO, right of access: requests made on behalf of others) before
anything goes to the agent's address. So no automatic reply: staff check the authority and where the data may go.
The evidence is how the mail is made — a From display name "Portal on behalf of Laura Finch" or "… via …" (as
Outlook and Google Groups show a Sender acting for the author) — or the agent's own words ("on behalf of our
client", "we act for", "on behalf of Laura Finch").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mailbot.judging.values import Regime

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "sar-by-agent"
DESCRIPTION = "Subject access sent by an agent (a portal, a solicitor) for the data subject: staff check authority."
ROBOT = False

_DISPLAY = re.compile(r"\S\s+(?:on behalf of|via)\s+\S", re.I)
_AGENT_WORDS = re.compile(
    r"\b(?i:on behalf of) (?!(?i:the|this|your) )(?:(?i:our|my) (?i:client)|[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)+)"
    r"|\b(?i:we act for|we are instructed by|we represent|acting on behalf of)\b")


def check(facts: Facts) -> str | None:
    if facts.regime is not Regime.SAR or facts.third_party:
        return None  # another person's data is third-party-data's, with the same outcome
    display = facts.msg.display_name or ""
    if _DISPLAY.search(display):
        return f"sent for the data subject by someone else (From: {display[:80]!r}): staff check the authority to act"
    found = _AGENT_WORDS.search(facts.body)
    if found:
        return (f"sent for the data subject by someone else (\"{found.group(0)}\"): staff check the authority to act "
                "before anything goes to the agent")
    return None
