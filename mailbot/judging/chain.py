"""The chain: an ordered table that turns the rules that hit into one action. The first matching link decides.

Reading the table top to bottom answers "what does the bot do with this mail, and why": loops and robots are
recorded and never answered; a person's mail that a robot-ish header would hide goes to staff; replies thread to
their case; new requests are checked against FOIA s8; anything weak or conflicting goes to staff, never to a
wrong automatic reply.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    name: str
    kind: str  # the message kind: request, follow_up, auto_reply, bounce, bulk, loop ("robot": the robot rule's)
    action: str
    any_of: frozenset[str] = frozenset()  # at least one of these hit (empty: no condition)
    all_of: frozenset[str] = frozenset()  # every one of these hit
    none_of: frozenset[str] = frozenset()  # none of these hit
    note: str = ""

    def matches(self, hits: set[str]) -> bool:
        return ((not self.any_of or bool(self.any_of & hits)) and self.all_of <= hits
                and not (self.none_of & hits))


def _s(*names: str) -> frozenset[str]:
    return frozenset(names)


PERSON_SIGNS = _s("relayed-form")
CHAIN: tuple[Link, ...] = (
    Link("loop", "loop", "none", any_of=_s("own-mailbox", "loop-token"),
         note="our own mail: never answered"),
    Link("bounce", "bounce", "none", any_of=_s("delivery-report", "bounce-sender"),
         note="a bounce is recorded on its enquiry for staff and never answered"),
    Link("auto-reply", "auto_reply", "none", any_of=_s("autoreply-headers", "oof-subject"),
         note="robot mail is recorded for staff and never answered"),
    Link("forwarded-by-a-robot-server", "request", "staff_review",
         all_of=_s("auto-submitted", "forwarded", "reads-like-request"),
         note="marked auto-generated, but it is a person forwarding a request: staff decide"),
    Link("auto-submitted", "auto_reply", "none", any_of=_s("auto-submitted"),
         note="robot mail is recorded for staff and never answered"),
    Link("bulk", "bulk", "none", any_of=_s("list-headers", "bulk-precedence"),
         note="list and bulk mail is recorded for staff and never answered"),
    Link("no-reply-request", "request", "staff_review", any_of=_s("robot-sender", "null-sender"),
         all_of=_s("reads-like-request"), none_of=PERSON_SIGNS | _s("threaded"),
         note="a request with nobody to write to (FOIA s8(1)(b)): staff decide"),
    Link("robot-sender", "auto_reply", "none", any_of=_s("robot-sender", "null-sender"), none_of=PERSON_SIGNS,
         note="robot mail is recorded for staff and never answered"),
    Link("daily-cap", "request", "staff_review", any_of=_s("daily-cap"),
         note="no more automatic replies to this address today: staff are told"),
    Link("completes-held-request", "follow_up", "acknowledge", all_of=_s("threaded", "held-case", "supplies-missing"),
         note="the held request is complete: allocate its reference and acknowledge"),
    Link("held-still-incomplete", "follow_up", "staff_review", all_of=_s("threaded", "held-case"),
         note="staff should read it rather than send a second notice"),
    Link("internal-review", "follow_up", "acknowledge_review", all_of=_s("threaded", "asks-review"),
         note="an internal review of a known enquiry: acknowledge with its due date"),
    Link("answer-to-our-receipt", "follow_up", "none", all_of=_s("answers-our-receipt"),
         note="recorded for staff; our own receipts and staff mail are never answered with another mail"),
    Link("follow-up", "follow_up", "acknowledge_follow_up", all_of=_s("threaded"),
         note="further correspondence on a known enquiry: recorded on it and receipt confirmed"),
    Link("review-of-unknown-enquiry", "follow_up", "staff_review", all_of=_s("asks-review"),
         note="staff must find the enquiry to review"),
    Link("unmatched-reply", "follow_up", "staff_review", all_of=_s("looks-like-reply"),
         note="unmatched replies go to staff rather than opening a new request"),
    Link("no-address", "request", "staff_review", all_of=_s("no-address"),
         note="nobody to write to: staff decide"),
    Link("name-conflict", "request", "staff_review", all_of=_s("name-conflict"),
         note="conflicting names: staff decide rather than the bot guess"),
    Link("pseudonym", "request", "staff_review", all_of=_s("pseudonym"),
         note="good practice is to deal with it anyway: staff decide"),
    Link("invalid-request", "request", "section8_notice", any_of=_s("missing-name", "missing-description"),
         note="a Section 8 notice says what is missing; the request is held without a reference"),
    Link("valid-request", "request", "acknowledge",
         note="valid: allocate an enquiry reference and acknowledge with the due date"),
)


def decide(hits: set[str]) -> Link:
    return next(link for link in CHAIN if link.matches(hits))
