"""Mail from the authority's own domains (mailbox.own_domains): a colleague's, never answered automatically.

Nor is mail whose reply would go to one of them (a Reply-To of a colleague's address): an automatic reply to staff
is how a staff member's out-of-office and the bot answer each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "own-domain"
DESCRIPTION = "Mail from the authority's own domains (mailbox.own_domains): a colleague's, never auto-answered."
ROBOT = False


def check(facts: Facts) -> str | None:
    settings = facts.settings
    domain = settings.own_domain(facts.msg.sender)
    if domain is None:
        replying_to = settings.own_domain(facts.address) if facts.address_source == "Reply-To" else None
        if replying_to is None:
            return None
        return f"the reply would go to the authority's own domain {replying_to}: staff, never an automatic reply"
    # A web form or system that relays an outsider's mail from our domain answers to them, not to a colleague.
    if facts.form is not None or any(settings.own_domain(a) is None for a in facts.msg.reply_to):
        return None
    return f"from the authority's own domain {domain}: a colleague's mail goes to staff, never an automatic reply"
