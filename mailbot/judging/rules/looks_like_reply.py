"""A reply matching no case: a 'Re:'/'AW:'/'SV:'… subject with quoted text, a reference or no request of its own,
our own text quoted under any subject, or one of our enquiry references named in any mail ("I sent a request on 3
November, your ref 4102/2026, and have had no reply"): staff triage rather than a new request."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mailbot.judging.readers.quoting import has_quoted_mail
from mailbot.judging.readers.subjects import answers_subject, is_reply_subject

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "looks-like-reply"
DESCRIPTION = (
    "A reply matching no case (a reply prefix in any language with quoted text, a reference or no request of its "
    "own, or our own mail quoted under any subject): staff triage rather than a new request."
)
ROBOT = False


def check(facts: Facts) -> str | None:
    if facts.case is not None:
        return None
    if facts.quotes_ours:
        return f"answers our mail ({facts.quotes_ours}) but matches no case"
    ours = _our_parent(facts)
    if ours:
        return f"replies to a message from our mailbox's domain ({ours}) but matches no case"
    if not is_reply_subject(facts.msg.subject):
        earlier = _EARLIER_REQUEST.search(facts.body)
        if earlier:  # "can you confirm you received my FOI request that I sent last Tuesday?"
            return (f"asks about an earlier request of the writer's (\"{' '.join(earlier.group(0).split())}\") but "
                    "matches no case: a chaser, not a new request")
        if any(key.year for key in facts.keys):  # "your ref 4102/2026": about an enquiry of ours, which the store
            return (f"names an enquiry reference ({', '.join(facts.references[:2])}) but matches no case: a chaser "
                    "or a follow-up, not a new request")  # would thread
        return None
    quoted = (has_quoted_mail(facts.msg.text) if answers_subject(facts.msg.subject)  # a forward always quotes
              else bool(re.search(r"^\s*>", facts.msg.text, re.M)))
    if facts.keys or quoted or not facts.described:
        return "looks like a reply (Re: subject with quoted text, a reference or no request) but matches no case"
    return None


# The writer's own earlier request, or its missing answer: what a chaser says.
_EARLIER_REQUEST = re.compile(
    r"\b(?:received|receive|got|get)\s+my\s+(?:foi\s+|eir\s+|freedom\s+of\s+information\s+|information\s+)?"
    r"(?:request|e-?mail|letter)\b"
    r"|\bi\s+(?:sent|made|submitted|emailed)\s+(?:you\s+)?(?:an?|my)\s+(?:foi\s+|eir\s+|information\s+)?request\b"
    r"|\b(?:haven't|have\s+not|not\s+yet|still\s+not|never)\s+(?:had|received|got)\s+(?:a|an|any)\s+"
    r"(?:reply|response|answer|acknowledg(?:e)?ment)\b", re.I)


def _our_parent(facts: Facts) -> str | None:
    """An In-Reply-To id made at our mailbox's domain (compose.py makes ours so): the author answers mail of ours,
    whatever the subject says, even when the store no longer knows that message."""
    domain = facts.settings.mailbox_domain
    if not domain:
        return None
    return next((i for i in facts.msg.in_reply_to if i.strip("<>").rpartition("@")[2].lower() == domain), None)
