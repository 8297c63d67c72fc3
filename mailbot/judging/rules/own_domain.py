"""Mail from the authority's own domains (mailbox.own_domains): a colleague's, never answered automatically."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "own-domain"
DESCRIPTION = "Mail from the authority's own domains (mailbox.own_domains): a colleague's, never auto-answered."
ROBOT = False


def own_domain(address: str | None, domains: tuple[str, ...]) -> str | None:
    """The own domain the address belongs to (itself or as a subdomain), or None."""
    if not address or "@" not in address:
        return None
    host = address.rpartition("@")[2].strip().lower().rstrip(".")
    return next((d for d in domains if host == d or host.endswith(f".{d}")), None)


def check(facts: Facts) -> str | None:
    domains = facts.settings.domains
    domain = own_domain(facts.msg.sender, domains)
    # A web form or system that relays an outsider's mail from our domain answers to them, not to a colleague.
    if domain is None or facts.form is not None or any(own_domain(a, domains) is None for a in facts.msg.reply_to):
        return None
    return f"from the authority's own domain {domain}: a colleague's mail goes to staff, never an automatic reply"
