"""Mail from the bot's own address, or asking to be answered there: answering it would answer ourselves.

From and Reply-To both count (a Reply-To of our own address makes the bot acknowledge itself), and so do the
mailbox's sub-addresses and any letter case (`FOI+x@…` is delivered to us too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.mail.mailbox_key import same_mailbox

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "own-mailbox"
DESCRIPTION = "Mail from the bot's own address, or with Reply-To it: answering it would answer ourselves."
ROBOT = True


def check(facts: Facts) -> str | None:
    mailbox = facts.settings.mailbox
    if not mailbox:
        return None
    if same_mailbox(facts.msg.sender, mailbox):
        return f"sent from our own mailbox {mailbox}"
    if any(same_mailbox(address, mailbox) for address in facts.msg.reply_to):
        return f"asks to be answered at our own mailbox {mailbox} (Reply-To)"
    if same_mailbox(facts.address, mailbox):
        return f"the reply would go to our own mailbox {mailbox}"
    return None
