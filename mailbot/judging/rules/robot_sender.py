"""no-reply, do-not-reply and bounce addresses: nobody reads replies to them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "robot-sender"
DESCRIPTION = "no-reply, do-not-reply and bounce addresses: nobody reads replies to them."
ROBOT = True


ROBOT_LOCAL_PARTS = re.compile(
    r"^(no-?reply|do-?not-?reply|donotreply|noreply[-+.].*|bounces?|bounce[-+].*|.*-bounces?|notifications?)$", re.I
)


def check(facts: Facts) -> str | None:
    sender = facts.msg.sender
    local = (sender or "").rsplit("@", 1)[0]
    if local and ROBOT_LOCAL_PARTS.match(local) and facts.address_source == "sender":
        return f"robot sender address ({local}@…) and no Reply-To"
    return None
