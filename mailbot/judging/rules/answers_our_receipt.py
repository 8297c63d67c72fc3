"""A reply to one of our own receipts, or to our mail at all when it says nothing that needs an answer: answering it
again is how two robots keep each other busy.

Headers name the mail it answers when the other side keeps In-Reply-To; auto-responders, CRMs and gateways often
do not, and then the words must say it. Mail that answers ours — it quotes our acknowledgement or notice, carries
our reference tag in a "Re:" subject without In-Reply-To, or opens "Thank you for your email" — and asks for
nothing (no question, no request for information, no review) is only the other side's automatic answer: recorded
on its case, never acknowledged, so the loop stops at its first turn. A held request, or one we asked a question
about, is left to the links that complete it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mailbot.judging.readers.asking import action_asked, information_asked
from mailbot.judging.readers.receipts import ASKS, acknowledgement_signs
from mailbot.judging.readers.subjects import has_our_tag, is_reply_subject
from mailbot.judging.values import CaseStatus

if TYPE_CHECKING:
    from mailbot.judging.facts import Facts

NAME = "answers-our-receipt"
DESCRIPTION = ("A reply to one of our own receipts or staff mails (digest, alerts, notices: by In-Reply-To, subject or "
               "quote), or one that answers our "
               "mail (quoting it, a \"Re:\" of our tagged subject without In-Reply-To, \"thanks for your email\") and "
               "asks for nothing: recorded, never answered with another automatic mail.")
ROBOT = True
RECEIPTS = frozenset({"follow_up_received", "digest", "staff_alert", "staff_notice"})
# The subjects of our own mail to staff (templates/digest, staff_notice, staff_alert), under any prefix: an
# out-of-office answering the digest ("Automatic reply: … information rights digest, …") must never be a request.
STAFF_SUBJECT = re.compile(r"\binformation rights digest\b|(?:^|:)\s*mailbot:\s", re.I)
# A person chasing their case asks for something too, even without a question mark.
CHASES = re.compile(
    r"\b(?:still|yet)\s+(?:not|to)\s+(?:had|have|received?|heard|get|got|seen)\b|\bno\s+(?:reply|response|answer)\b"
    r"|\bnot\s+(?:yet\s+)?(?:had|received|heard)\b|\bany\s+(?:update|news|progress)\b"
    r"|\bwhen\s+(?:will|can|should|might)\b|\bchas(?:e|ing)\b|\boverdue\b|\blate\b",
    re.I,
)
_QUOTED_SUBJECT = re.compile(r"^[>\s]*subject:\s*(.*)$", re.I | re.M)


def answers_staff_mail(facts: Facts) -> bool:
    """The subject, or the subject of our mail it quotes, is that of our digest or a notice to staff."""
    if STAFF_SUBJECT.search(facts.msg.subject):
        return True
    return bool(facts.quotes_ours) and any(STAFF_SUBJECT.search(s) for s in _QUOTED_SUBJECT.findall(facts.msg.text))


def asks_something(facts: Facts) -> bool:
    """The author's own words ask for anything at all: a question, information, a review."""
    own = facts.reading.own_text
    return bool(ASKS.search(own) or CHASES.search(own) or information_asked(f"{facts.reading.subject}\n{own}")
                or action_asked(own) or facts.review_words)


def signed_by_the_applicant(facts: Facts) -> bool:
    """The author signs their own words with the full name on the case: the requester writing, not their mail
    system (whose From line may carry the same name, so the display name does not count)."""
    case = facts.case
    if case is None or not case.applicant_name:
        return False
    return any(f.full and f.source in {"statement", "sign-off"} and f.name.casefold() == case.applicant_name.casefold()
               for f in facts.findings)


def _answers_us(facts: Facts) -> str | None:
    """How the message shows it answers our mail when its headers do not say which, or None."""
    msg = facts.msg
    if facts.quotes_ours and len(facts.reading.own_text.split()) < facts.settings.min_description_words:
        return f"nothing of its own but our mail quoted ({facts.quotes_ours})"
    if (is_reply_subject(msg.subject) and not msg.in_reply_to and not msg.references
            and (has_our_tag(msg.subject) or facts.thread_signal in {"reference", "sender-subject"})
            and not signed_by_the_applicant(facts)):
        return "a \"Re:\" of our subject without In-Reply-To"
    if (facts.case is not None or facts.quotes_ours) and {"automated", "thanks"} & set(
            acknowledgement_signs(facts.reading.own_text)):
        return "\"thank you for your email\"-style wording"
    return None


def check(facts: Facts) -> str | None:
    if RECEIPTS & set(facts.answers_our):
        return "replies to our own receipt or staff mail: recorded without another automatic reply (no mail loops)"
    if answers_staff_mail(facts):
        return "answers our digest or a notice to staff: recorded, never a request (no mail loops)"
    if facts.form is not None or facts.forward is not None or (facts.case is None and not facts.quotes_ours):
        return None
    case = facts.case
    if case is not None and (case.status == CaseStatus.HELD or case.awaiting_clarification):
        return None
    how = _answers_us(facts)
    if how is None or asks_something(facts):
        return None
    return f"answers our mail and asks for nothing ({how}): recorded without another automatic reply (no mail loops)"
