"""no-reply, do-not-reply, bounce, notification and list-robot addresses: nobody reads replies to them.

The address that would get the reply is the one that counts: the Reply-To when there is one (a person's From with
a no-reply Reply-To is still nobody to write to), else the From. A no-reply From with a person's Reply-To is a
web form or a service writing on a person's behalf, and is not a robot's on that account.
List-robot addresses follow the conventions of Mailman, majordomo and ezmlm: `list-request@`, `list-admin@`,
`list-owner@`, `owner-list@`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.judging.readers.robot_addresses import robot_local

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "robot-sender"
DESCRIPTION = "no-reply, do-not-reply, bounce, notification and list-robot addresses: nobody reads replies to them."
ROBOT = True

def check(facts: Facts) -> str | None:
    msg = facts.msg
    if facts.address_source == "Reply-To" and msg.reply_to:
        local = robot_local(msg.reply_to[0])
        return f"no-reply Reply-To address ({local}@…): nobody to write to" if local else None
    if facts.address_source == "sender":
        local = robot_local(msg.sender)
        return f"robot sender address ({local}@…) and no Reply-To" if local else None
    return None
