"""The mail is addressed to someone else and only copied to us: our mailbox in Cc, not in To.

A resident who writes to the housing team, copies the FOI mailbox and their MP, and adds "under the Freedom of
Information Act please also tell me…" has made a request, but in a mail whose business is someone else's (a
complaint, a repair, a case). A copy is for information in mail practice; an acknowledgement with a reference and
a 20-day clock answers only the part the bot saw, so staff read it and split it, with the due date a request would
have. The evidence is the envelope the writer chose: our address in Cc and another in To.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailbot.mail.mailbox_key import mailbox_key

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "copied-to-us"
DESCRIPTION = "Our mailbox only in Cc, another address in To: the mail is someone else's business; staff read it."
ROBOT = False


def check(facts: Facts) -> str | None:
    mailbox = facts.settings.mailbox
    msg = facts.msg
    if not mailbox or not msg.to or not msg.cc:
        return None
    ours = mailbox_key(mailbox)
    if any(mailbox_key(a) == ours for a in msg.to) or not any(mailbox_key(a) == ours for a in msg.cc):
        return None
    return "addressed to another mailbox (To), ours only in Cc: the mail is someone else's business"
