"""Marketing-campaign headers of an e-mail service provider, even without List-* headers.

Newsletter and campaign tools stamp each send with a campaign id: `X-Campaign`, `X-CampaignID` (Mailchimp and
others), `X-MC-User` (Mailchimp), `X-Roving-Campaignid` (Constant Contact), `X-CSA-Complaints` (senders certified
by the Certified Senders Alliance), `X-Mailer` naming a bulk mailer. Transactional relays (SendGrid, Mailgun, SES)
are not listed: a person's web form can go through those.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "campaign-headers"
DESCRIPTION = "A campaign tool's headers (X-Campaign, X-CampaignID, X-MC-User, X-Roving-Campaignid, bulk X-Mailer)."
ROBOT = True

HEADERS = ("x-campaign", "x-campaignid", "x-campaign-id", "x-mc-user", "x-mailchimp-campaign",
           "x-roving-campaignid", "x-csa-complaints", "x-newsletter", "x-newsletter-id", "x-cmail-groupid",
           "x-hs-cid", "x-mailjet-campaign", "x-sib-id")
_BULK_MAILER = re.compile(r"\b(phplist|mailchimp|campaign monitor|sendinblue|brevo|mailpoet|acymailing|"
                          r"mailerlite|getresponse|constant contact|newsletter)\b", re.I)


def check(facts: Facts) -> str | None:
    msg = facts.msg
    for name in HEADERS:
        if msg.has_header(name):
            return f"e-mail campaign header {name}"
    mailer = _BULK_MAILER.search(msg.header("x-mailer") or "")
    if mailer:
        return f"sent by a bulk mailer (X-Mailer: {mailer.group(0)})"
    return None
