"""Whether a message answers our own mail although its headers do not say so.

People reply from another client or account, paste our text into a new message, or their client drops
In-Reply-To and the "Re:"; what is left is our text quoted below theirs: a header block or attribution naming our
mailbox ("From: FOI Team <foi@…>", "On …, foi@… wrote:"), sentences of our acknowledgement or Section 8 notice, or
our reference tag in the subject. Such mail is a follow-up, not a new request (docs/robot-mail.md, threading).

The sentences are the shipped templates' (English and Welsh); an authority that rewrites its templates still has
the mailbox address and the reference tag.
"""

from __future__ import annotations

import re

from mailbot.judging.readers.forwards import find_forwarded
from mailbot.judging.readers.subjects import has_our_tag

OUR_SENTENCES = (
    "i acknowledge receipt of your request for information",
    "i acknowledge receipt of your request for your personal data",
    "acknowledge receipt of your request for an internal review",
    "it is not yet a valid request under section 8",
    "not yet a valid request under section 8 of the freedom of information act",
    "we have kept your email and will start work as soon as we receive your reply",
    "information rights mailbox. please keep the enquiry",
    "please keep the enquiry reference in the subject line",
    "keeping the reference",  # "… please reply to this email, keeping the reference N in the subject"
    "rwy'n cydnabod i'r swyddfa hon dderbyn eich cais",
    "cyfeirnod yr ymholiad",
)
_ATTRIBUTION = re.compile(
    r"^\s*(?:on\b.{0,200}\bwrote:?|.{0,200}\b(?:wrote|schrieb|a écrit|escribió|schreef|ysgrifennodd)\s*:)\s*$",
    re.I | re.M)


def _squash(text: str) -> str:
    return re.sub(r"[\s>]+", " ", text.lower().replace("’", "'"))


def quotes_us(subject: str, text: str, own_text: str, mailbox: str | None) -> str | None:
    """Why this message answers our mail (for the reasons), or None."""
    if has_our_tag(subject):
        return "our reference tag is in the subject"
    quoted = text[len(own_text):] if own_text and text.startswith(own_text) else text
    if mailbox:
        original = find_forwarded(quoted)
        if original and original.author_address and original.author_address.lower() == mailbox.lower():
            return "it quotes a message from our mailbox"
        if any(mailbox.lower() in line.lower() for line in _ATTRIBUTION.findall(quoted)):
            return "it quotes a message from our mailbox"
    squashed = _squash(text)  # our sentences pasted without quote marks count too
    if any(sentence in squashed for sentence in OUR_SENTENCES):
        return "it quotes our acknowledgement or notice"
    return None


def has_quoted_mail(text: str) -> bool:
    """Earlier mail quoted in any client's form: "> " lines, an "On … wrote:" line, or a header block or separator
    ("-----Original Message-----", Outlook's "From: … Sent: …")."""
    return bool(re.search(r"^\s*>", text, re.M) or _ATTRIBUTION.search(text) or find_forwarded(text))
