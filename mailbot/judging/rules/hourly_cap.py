"""At most N automatic replies from the mailbox in any hour, to everyone together.

The per-address cap stops one mailbox being flooded; it cannot stop a forger naming a thousand victims. This cap
bounds what the bot can be made to send at all, whoever it is addressed to: the rest goes to staff.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "hourly-cap"
DESCRIPTION = "At most N automatic replies from the mailbox in any hour, to everyone together (rules.hourly_reply_cap)."
ROBOT = False


def check(facts: Facts) -> str | None:
    cap = facts.settings.hourly_reply_cap
    if facts.address and facts.replies_this_hour >= cap:
        return (f"{facts.replies_this_hour} automatic replies from this mailbox in the last hour: the hourly cap is "
                f"{cap}")
    return None
