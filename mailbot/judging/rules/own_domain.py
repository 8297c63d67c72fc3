"""Mail from the authority's own domains (mailbox.own_domains): a colleague's, never answered automatically."""

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
    # A web form or system that relays an outsider's mail from our domain answers to them, not to a colleague.
    if domain is None or facts.form is not None or any(settings.own_domain(a) is None for a in facts.msg.reply_to):
        return None
    return f"from the authority's own domain {domain}: a colleague's mail goes to staff, never an automatic reply"
