"""At most N automatic replies from the mailbox to mail that arrived within any hour, to everyone together.

The per-address cap stops one mailbox being flooded; it cannot stop a forger naming a thousand victims. This cap
bounds what the bot can be made to send at all, whoever it is addressed to: the rest goes to staff. The hour is the
hour before the message reached the mailbox (set by our own server), so a backlog found after an outage is counted
as it arrived, not all at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "hourly-cap"
DESCRIPTION = ("At most N automatic replies to mail that reached the mailbox within an hour, to everyone together "
               "(rules.hourly_reply_cap).")
ROBOT = False


def check(facts: Facts) -> str | None:
    cap = facts.settings.hourly_reply_cap
    if facts.address and facts.replies_this_hour >= cap:
        return (f"{facts.replies_this_hour} automatic replies already to mail that reached this mailbox in the hour "
                f"before this message: the hourly cap is {cap}")
    return None
