"""Mail from the bot's own address: answering it would answer ourselves."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "own-mailbox"
DESCRIPTION = "Mail from the bot's own address: answering it would answer ourselves."
ROBOT = True


def check(facts: Facts) -> str | None:
    mailbox = facts.settings.mailbox
    if mailbox and facts.msg.sender and facts.msg.sender.lower() == mailbox.lower():
        return f"sent from our own mailbox {mailbox}"
    return None
