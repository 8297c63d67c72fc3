"""A person's mail passed on by a server rule: `Auto-Submitted: auto-forwarded`, Exchange's inbox-rule headers.

A mailbox rule that forwards or redirects mail marks the copy `Auto-Submitted: auto-forwarded` (a value forwarding
agents use, though not one of RFC 3834's) or, in Exchange, `X-MS-Exchange-Inbox-Rules-Loop: <forwarding mailbox>`.
The words are still a person's: the chain registers such mail for staff without an automatic reply (the forwarding
server is a loop risk), unless another sign says a robot wrote it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.judging.rules import auto_submitted

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "forwarded-by-rule"
DESCRIPTION = "Passed on by a forwarding rule (Auto-Submitted: auto-forwarded, X-MS-Exchange-Inbox-Rules-Loop)."
ROBOT = True


def check(facts: Facts) -> str | None:
    if auto_submitted.value(facts) == "auto-forwarded":
        return "Auto-Submitted: auto-forwarded (a forwarding rule passed it on)"
    loop = facts.msg.header("x-ms-exchange-inbox-rules-loop")
    if loop is not None:
        return f"X-MS-Exchange-Inbox-Rules-Loop: {loop.strip()[:60]} (an Exchange inbox rule forwarded it)"
    return None
