"""The chain: an ordered table that turns the rules that hit into one outcome. The first matching link decides.

Reading the table top to bottom answers "what does the bot do with this mail, and why": loops and robots are
recorded and never answered; a person's mail that a robot-ish header would hide goes to staff; replies thread to
their case; new requests are checked against FOIA s8; anything weak or conflicting goes to staff, never to a
wrong automatic reply.

Each link carries its whole outcome — kind, action, validity, what is missing, the regime, any notice to staff and
the details to attach — so the judge only looks the outcome up. Where a part depends on the message rather than on
the link (is anything missing? which law applies?), the link names how to compute it with a `From` member.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Final, Literal

from mailbot.judging.values import Action, Kind, Regime, StaffNotice


class From(Enum):
    """A part of the outcome that the link chooses how to compute, but the message fills in."""

    COMPLETENESS = "valid exactly when nothing is missing"
    HITS = "the address, name or description that the rules which hit report missing"
    HELD_CASE = "what the held request still lacks after this message"
    MESSAGE = "the regime of the case it threads to, else the one the message reads as"


class Detail(Enum):
    """Extra facts a link attaches to its decision, for templates and staff."""

    DELIVERY = "failed_recipients and permanent, read from the delivery report"
    CLARIFICATION = "clarification_received, when the clarification-reply rule hit"


# What each rule reports missing (FOIA s8(1)(b) and (c)), in the order a Section 8 notice lists it.
MISSING_BY_RULE = {"no-address": "address", "missing-name": "name", "missing-description": "description"}

Validity = bool | None | Literal[From.COMPLETENESS]  # None: the question does not arise, or staff must judge
MissingFrom = Literal[From.HITS, From.HELD_CASE] | None  # None: nothing is reported missing
RegimeFrom = Regime | Literal[From.MESSAGE] | None  # None: no law applies (robot mail)


@dataclass(frozen=True)
class Link:
    name: str
    kind: Kind  # a request link's kind becomes follow_up when the message threads to a case
    action: Action
    any_of: frozenset[str] = frozenset()  # at least one of these hit (empty: no condition)
    all_of: frozenset[str] = frozenset()  # every one of these hit
    none_of: frozenset[str] = frozenset()  # none of these hit
    valid: Validity = None
    missing: MissingFrom = From.HITS
    regime: RegimeFrom = From.MESSAGE
    staff_notice: StaffNotice | None = None
    details: tuple[Detail, ...] = ()
    note: str = ""

    @property
    def robot(self) -> bool:
        return self.kind.robot

    def matches(self, hits: set[str]) -> bool:
        return ((not self.any_of or bool(self.any_of & hits)) and self.all_of <= hits
                and not (self.none_of & hits))


def _s(*names: str) -> frozenset[str]:
    return frozenset(names)


def _robot(name: str, kind: Kind, any_of: frozenset[str], none_of: frozenset[str] = frozenset(),
           details: tuple[Detail, ...] = (), note: str = "robot mail is recorded for staff and never answered") -> Link:
    """Mail no person wrote: no reply, no validity, nothing missing, no law."""
    return Link(name, kind, Action.NONE, any_of=any_of, none_of=none_of, valid=None, missing=None, regime=None,
                details=details, note=note)


PERSON_SIGNS = _s("relayed-form", "secure-message", "form-response")
AUTO_REPLY_SIGNS = _s("autoreply-headers", "oof-subject", "report-type", "quarantine-digest", "challenge-response",
                      "foreign-loop")
BULK_SIGNS = _s("list-headers", "list-software", "campaign-headers", "bulk-precedence")
NO_REPLY_SIGNS = _s("robot-sender", "null-sender", "system-name")
SPAM_SIGNS = _s("phishing", "sales-pitch")
# A person's mail that asks for something other than recorded information (its rule says what).
NOT_A_REQUEST = _s("asks-for-action", "calendar-invitation", "test-message", "bare-attachment",
                   "asks-about-our-address")
ASKED: Final = From.COMPLETENESS  # shorthand for the table: a request is valid when nothing is missing
CHAIN: tuple[Link, ...] = (
    _robot("loop", Kind.LOOP, any_of=_s("own-mailbox", "loop-token"), note="our own mail: never answered"),
    _robot("spam", Kind.SPAM, any_of=_s("spam-verdict"),
           note="spam is recorded for staff and never answered"),
    # Before bounces: a gateway's digest or a read receipt often comes from postmaster, but it reports no failure.
    _robot("report", Kind.AUTO_REPLY, any_of=_s("report-type", "quarantine-digest", "ses-notification"),
           note="a mail system's report (feedback, read receipt, DMARC/TLS, quarantine digest): recorded, never "
                "answered"),
    _robot("bounce", Kind.BOUNCE, any_of=_s("delivery-report", "bounce-sender", "ses-bounce"),
           details=(Detail.DELIVERY,),
           note="a bounce is recorded on its enquiry for staff and never answered"),
    _robot("auto-reply", Kind.AUTO_REPLY, any_of=AUTO_REPLY_SIGNS),
    _robot("daemon-envelope", Kind.BOUNCE, any_of=_s("daemon-envelope"), details=(Detail.DELIVERY,),
           note="a mail system's notice is recorded on its enquiry for staff and never answered"),
    Link("forwarded-by-a-robot-server", Kind.REQUEST, Action.STAFF_REVIEW, valid=ASKED,
         all_of=_s("auto-submitted", "forwarded", "reads-like-request"),
         note="marked auto-generated, but it is a person forwarding a request: staff decide"),
    _robot("auto-submitted", Kind.AUTO_REPLY, any_of=_s("auto-submitted")),
    # Asking for the reader's own sign-in outweighs a request's words: phishing dressed as an FOI request.
    _robot("credential-phishing", Kind.SPAM, any_of=_s("asks-for-credentials"), none_of=_s("threaded", "forwarded"),
           note="phishing is recorded and never answered (its link never followed)"),
    _robot("spam-content", Kind.SPAM, any_of=SPAM_SIGNS, none_of=_s("asks-for-information"),
           note="spam or phishing is recorded and never answered"),
    # Before a bulk tool's request: a mailing that tells its reader it subscribed is nobody's request, whatever its
    # copy asks ("Want to know how many trees we planted? Reply to this email").
    _robot("newsletter", Kind.BULK, any_of=_s("subscriber-notice"), none_of=_s("threaded", "forwarded"),
           note="a mailing to its subscribers is recorded for staff and never answered"),
    Link("bulk-request", Kind.REQUEST, Action.STAFF_REVIEW, valid=ASKED, any_of=BULK_SIGNS,
         all_of=_s("asks-for-information"), none_of=SPAM_SIGNS | _s("list-software"),  # a list post: discussion
         note=("a request sent through a bulk or campaign tool (a round-robin request is valid, ICO): no automatic "
               "reply (a loop risk); registered for staff, with the due date it would have")),
    _robot("bulk", Kind.BULK, any_of=BULK_SIGNS,
           note="list and bulk mail is recorded for staff and never answered"),
    Link("receipt-on-our-case", Kind.FOLLOW_UP, Action.NONE, valid=None, all_of=_s("acknowledges-receipt", "threaded"),
         note="only acknowledges receipt: recorded on its case, never answered (two mailboxes cannot loop)"),
    _robot("receipt-acknowledgement", Kind.AUTO_REPLY, any_of=_s("acknowledges-receipt"),
           note="another system's acknowledgement of receipt: recorded, never answered (two mailboxes cannot loop)"),
    # Threaded, it is an answer to our receipt, recorded on its case by the links below.
    _robot("away-text", Kind.AUTO_REPLY, any_of=_s("away-text"), none_of=_s("reads-like-request", "threaded"),
           note="an away message without robot headers: recorded, never answered"),
    Link("no-reply-request", Kind.REQUEST, Action.STAFF_REVIEW, valid=ASKED, any_of=NO_REPLY_SIGNS,
         all_of=_s("reads-like-request"), none_of=PERSON_SIGNS | _s("threaded", "system-notice"),
         note="a request with nobody to write to (FOIA s8(1)(b)): staff decide"),
    _robot("robot-sender", Kind.AUTO_REPLY, any_of=NO_REPLY_SIGNS, none_of=PERSON_SIGNS),
    Link("unauthenticated", Kind.REQUEST, Action.STAFF_REVIEW, valid=ASKED, any_of=_s("fails-authentication"),
         note=("the authority's own mail server could not authenticate the sender (DMARC, or SPF and DKIM): it may "
               "be forged, and an automatic reply would go to whoever the forger named; staff decide, with the due "
               "date it would have")),
    Link("forwarded-by-rule", Kind.REQUEST, Action.STAFF_REVIEW, valid=ASKED, any_of=_s("forwarded-by-rule"),
         note="a person's mail passed on by a server's forwarding rule: registered for staff, no automatic reply "
              "(the forwarding server would loop)"),
    Link("internal", Kind.INTERNAL, Action.STAFF_REVIEW, valid=None, missing=None, any_of=_s("own-domain"),
         note=("a colleague's mail from the authority's own domain: staff, never an automatic reply (linked to its "
               "case when it names one)")),
    Link("forwarded-for-another", Kind.REQUEST, Action.STAFF_REVIEW, valid=ASKED, all_of=_s("forwarded-for-another"),
         note="the forwarder is not the applicant: staff confirm the applicant's address and reply to them"),
    Link("sent-before", Kind.REQUEST, Action.STAFF_REVIEW, valid=ASKED, all_of=_s("sent-before"),
         note="a request the authority may have received before: staff settle its date of receipt"),
    Link("daily-cap", Kind.REQUEST, Action.STAFF_REVIEW, valid=None, any_of=_s("daily-cap"),
         staff_notice=StaffNotice.DAILY_CAP,
         note="no more automatic replies to this address today: staff are told"),
    Link("hourly-cap", Kind.REQUEST, Action.STAFF_REVIEW, valid=ASKED, any_of=_s("hourly-cap"),
         staff_notice=StaffNotice.HOURLY_CAP,
         note=("no more automatic replies from this mailbox this hour (a flood, perhaps forged): staff are told "
               "once an hour and read the rest, with the due date each would have")),
    Link("completes-held-request", Kind.FOLLOW_UP, Action.ACKNOWLEDGE, valid=True, missing=From.HELD_CASE,
         all_of=_s("threaded", "held-case", "supplies-missing"),
         note="the held request is complete: allocate its reference and acknowledge"),
    Link("held-still-incomplete", Kind.FOLLOW_UP, Action.STAFF_REVIEW, valid=ASKED, missing=From.HELD_CASE,
         all_of=_s("threaded", "held-case"),
         note="staff should read it rather than send a second notice"),
    Link("internal-review", Kind.FOLLOW_UP, Action.ACKNOWLEDGE_REVIEW, valid=True, regime=Regime.INTERNAL_REVIEW,
         all_of=_s("threaded", "asks-review"),
         note="an internal review of a known enquiry: acknowledge with its due date"),
    Link("answer-to-our-receipt", Kind.FOLLOW_UP, Action.NONE, valid=None, all_of=_s("answers-our-receipt"),
         note=("recorded for staff; our own receipts and staff mail, and mail that only answers ours, are never "
               "answered with another mail")),
    Link("follow-up", Kind.FOLLOW_UP, Action.ACKNOWLEDGE_FOLLOW_UP, valid=True, all_of=_s("threaded"),
         details=(Detail.CLARIFICATION,),
         note="further correspondence on a known enquiry: recorded on it and receipt confirmed"),
    Link("review-of-unknown-enquiry", Kind.FOLLOW_UP, Action.STAFF_REVIEW, valid=None, regime=Regime.INTERNAL_REVIEW,
         all_of=_s("asks-review"),
         note="staff must find the enquiry to review"),
    Link("unmatched-reply", Kind.FOLLOW_UP, Action.STAFF_REVIEW, valid=None, all_of=_s("looks-like-reply"),
         note="unmatched replies go to staff rather than opening a new request"),
    Link("regulator", Kind.CORRESPONDENCE, Action.STAFF_REVIEW, valid=None, missing=None,
         all_of=_s("regulator-casework"),
         note=("the Information Commissioner's casework (FOIA s50-s52): staff answer the regulator; never an "
               "acknowledgement as if it were an applicant")),
    Link("recall", Kind.CORRESPONDENCE, Action.STAFF_REVIEW, valid=None, missing=None, all_of=_s("recall"),
         note=("the writer asks to recall an earlier message: it was received all the same; staff settle with them "
               "whether the request stands")),
    Link("secure-message", Kind.REQUEST, Action.STAFF_REVIEW, valid=None, all_of=_s("secure-message"),
         note=("a person's message held by a secure-mail service: staff sign in and read it; no automatic reply to a "
               "notice whose words are the service's")),
    Link("request-in-attachment", Kind.REQUEST, Action.STAFF_REVIEW, valid=None,
         all_of=_s("request-attached"),
         note=("the request is in a file the bot does not read: registered for staff, who read it, with the due date "
               "it would have; no automatic reply without knowing what it asks")),
    Link("mixed", Kind.REQUEST, Action.STAFF_REVIEW, valid=ASKED, any_of=NOT_A_REQUEST | SPAM_SIGNS,
         all_of=_s("asks-for-information"),
         note=("asks for recorded information and also for something else (a complaint, a service, a meeting, a "
               "file to open): a request all the same; staff split it, with the due date it would have")),
    Link("correspondence", Kind.CORRESPONDENCE, Action.STAFF_REVIEW, valid=None, missing=None,
         any_of=NOT_A_REQUEST,
         note=("routine correspondence, not a request for recorded information (FOIA s8(1)(c); ICO: business as "
               "usual): staff, no automatic reply")),
    Link("no-address", Kind.REQUEST, Action.STAFF_REVIEW, valid=False, all_of=_s("no-address"),
         note="nobody to write to: staff decide"),
    Link("name-conflict", Kind.REQUEST, Action.STAFF_REVIEW, valid=ASKED, all_of=_s("name-conflict"),
         note="conflicting names: staff decide rather than the bot guess"),
    Link("pseudonym", Kind.REQUEST, Action.STAFF_REVIEW, valid=ASKED, all_of=_s("pseudonym"),
         note="good practice is to deal with it anyway: staff decide"),
    Link("third-party-data", Kind.REQUEST, Action.STAFF_REVIEW, valid=ASKED, all_of=_s("third-party-data"),
         note="another living person's personal data: staff decide, with the due date it would have"),
    Link("two-laws", Kind.REQUEST, Action.STAFF_REVIEW, valid=ASKED, all_of=_s("asks-under-two-laws"),
         note=("subject access and a request for facts at large in one message: two laws and two due dates; staff "
               "split it, with the due date of the subject access part")),
    Link("sar-by-agent", Kind.REQUEST, Action.STAFF_REVIEW, valid=ASKED, all_of=_s("sar-by-agent"),
         note="subject access sent by an agent: staff check the authority to act before any reply to the agent"),
    Link("member-enquiry", Kind.REQUEST, Action.STAFF_REVIEW, valid=ASKED, all_of=_s("member-enquiry"),
         note=("an elected member asks for a constituent: a member's enquiry or an FOI request, and whose, is the "
               "authority's call; staff decide, with the due date an FOI request would have")),
    Link("crime-disclosure", Kind.REQUEST, Action.STAFF_REVIEW, valid=ASKED, all_of=_s("crime-disclosure"),
         note=("a request for personal data under the Data Protection Act's crime exemption, not FOIA: staff or the "
               "data protection officer decide; no acknowledgement with an FOIA due date")),
    Link("copied-to-us", Kind.REQUEST, Action.STAFF_REVIEW, valid=ASKED,
         all_of=_s("copied-to-us", "asks-for-information"),
         note=("a request in mail addressed to someone else, our mailbox only copied: staff read the whole and split "
               "it, with the due date a request would have")),
    Link("no-request-seen", Kind.CORRESPONDENCE, Action.STAFF_REVIEW, valid=None, missing=None,
         none_of=_s("asks-for-information", "missing-description"),
         note=("it says something, but asks for nothing the bot recognises as recorded information: staff read it "
               "(an automatic reply needs positive evidence of a request)")),
    Link("invalid-request", Kind.REQUEST, Action.SECTION8_NOTICE, valid=False,
         any_of=_s("missing-name", "missing-description"),
         note="a Section 8 notice says what is missing; the request is held without a reference"),
    Link("valid-request", Kind.REQUEST, Action.ACKNOWLEDGE, valid=True,
         note="valid: allocate an enquiry reference and acknowledge with the due date"),
)


def decide(hits: set[str]) -> Link:
    return next(link for link in CHAIN if link.matches(hits))
