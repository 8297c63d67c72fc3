"""Which templates mailbot sends, the variables each gets, and sample data to render them with.

One list serves `mailbot templates check` (every template must render with every sample), `templates preview`,
and the tests (every variable here must be documented in templates/README.md), so a template cannot be added or
changed without its samples and documentation following.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.clock.deadlines import compute_deadline
from mailbot.config import Settings
from mailbot.runners.digest import DIGEST_MAX_CHARS, digest_context, empty_digest, sample_digest
from mailbot.replies.templates import MAX_RENDERED_CHARS, Templates
from mailbot.store.models import Case, Decision, InboundMessage, Review
from mailbot.clock.workdays import LONDON


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    audience: str  # requester | staff
    sent_when: str


CATALOG: dict[str, TemplateSpec] = {spec.name: spec for spec in (
    TemplateSpec("section8_notice", "requester", "a new request is not valid under FOIA s8 (no full name, no "
                 "description, or both); it is held without a reference"),
    TemplateSpec("acknowledgement_foi", "requester", "a valid Freedom of Information request (new, or a held one "
                 "just completed)"),
    TemplateSpec("acknowledgement_eir", "requester", "a valid request that is, or may be, for environmental "
                 "information (EIR 2004)"),
    TemplateSpec("acknowledgement_sar", "requester", "a subject access request (UK GDPR Art 15)"),
    TemplateSpec("acknowledgement_review", "requester", "a request for an internal review of a known enquiry"),
    TemplateSpec("follow_up_received", "requester", "further mail on an open enquiry (setting "
                 "rules.acknowledge_follow_ups)"),
    TemplateSpec("staff_alert", "staff", "an admin template failed and the shipped one was sent instead (at most "
                 "once a day per template)"),
    TemplateSpec("staff_notice", "staff", "something staff must look at now, once per problem: a message "
                 "quarantined after repeated failures, a reply the mail server refused for good, an address that "
                 "hit the daily cap of automatic replies"),
    TemplateSpec("digest", "staff", "each working day at digest.time, to digest.recipients"),
)}

REPLY_TEMPLATES = tuple(name for name, spec in CATALOG.items() if spec.audience == "requester")

REPLY_VARIABLES = ("organisation", "mailbox_address", "mailbox_display_name", "requester_name", "reference",
                   "regime", "received", "first_received", "due", "due_why", "request_due", "missing", "subject",
                   "subject_stem", "request_summary")
STAFF_ALERT_VARIABLES = ("organisation", "mailbox_address", "mailbox_display_name", "template", "language",
                         "problems", "message_id", "enquiry_reference", "occurred_at")
STAFF_NOTICE_VARIABLES = ("organisation", "mailbox_address", "mailbox_display_name", "title", "lines",
                          "message_id", "enquiry_reference", "occurred_at")
DIGEST_VARIABLES = ("organisation", "mailbox_address", "mailbox_display_name", "digest", "due_soon_days")

SAMPLE_SUBJECT = "Facial recognition technology"
SAMPLE_SUMMARY = ("Please provide the number of times live facial recognition was used in 2021, and the policy "
                  "that governs its use.")
SAMPLE_REFERENCE = "13931/2022"
SAMPLE_FIRST_RECEIVED = date(2022, 5, 10)
SAMPLE_RECEIVED = date(2022, 5, 12)
SAMPLE_REVIEW_RECEIVED = date(2022, 6, 20)
ACK_REGIMES = {"acknowledgement_foi": "foi", "acknowledgement_eir": "eir", "acknowledgement_sar": "sar",
               "acknowledgement_review": "internal_review", "follow_up_received": "foi"}


def _mailbox(settings: Settings) -> dict[str, Any]:
    mailbox = settings.mailbox
    return {"organisation": mailbox.organisation, "mailbox_address": mailbox.address,
            "mailbox_display_name": mailbox.display_name}


def reply_samples(name: str, settings: Settings) -> list[dict[str, Any]]:
    """Contexts covering each branch a reply template has (name given or not, what is missing, due or not).

    Due dates come from the statutory clock, as in a real reply."""
    policy = settings.clock_policy()
    base = {**_mailbox(settings), "subject": f"Re: {SAMPLE_SUBJECT}", "subject_stem": SAMPLE_SUBJECT,
            "request_summary": SAMPLE_SUMMARY, "first_received": SAMPLE_FIRST_RECEIVED}
    if name == "section8_notice":
        return [{**base, "requester_name": who, "reference": None, "regime": "foi", "received": SAMPLE_FIRST_RECEIVED,
                 "due": None, "due_why": None, "request_due": None, "missing": missing}
                for who in ("Fred", None) for missing in (["name"], ["description"], ["name", "description"])]
    regime = ACK_REGIMES[name]
    request = compute_deadline("foi" if regime == "internal_review" else regime, SAMPLE_RECEIVED, (), policy)
    this = compute_deadline(regime, SAMPLE_REVIEW_RECEIVED if regime == "internal_review" else SAMPLE_RECEIVED, (),
                            policy)
    sample = {**base, "reference": SAMPLE_REFERENCE, "regime": regime, "received": this.start, "due": this.due,
              "due_why": this.why, "request_due": request.due, "missing": []}
    samples = [{**sample, "requester_name": "Fred Wright"}, {**sample, "requester_name": None}]
    if name == "follow_up_received":  # a follow-up while the clock is stopped: nothing is due
        samples.append({**sample, "requester_name": "Fred Wright", "due": None, "due_why": None, "request_due": None})
    return samples


def staff_alert_samples(settings: Settings, language: str = "en") -> list[dict[str, Any]]:
    when = datetime.combine(date(2022, 6, 13), time(9, 41), tzinfo=LONDON)
    problem = "/etc/mailbot/templates/acknowledgement_foi/text.txt:1: 'requestor_name' is undefined"
    base = {**_mailbox(settings), "template": "acknowledgement_foi", "language": language, "problems": [problem],
            "occurred_at": when}
    return [{**base, "message_id": "<ogm-860112@whatdotheyknow.com>", "enquiry_reference": SAMPLE_REFERENCE},
            {**base, "message_id": None, "enquiry_reference": None, "template": "digest",
             "problems": [problem, "/etc/mailbot/templates/staff_alert/subject.txt:1: syntax error"]}]


def staff_notice_samples(settings: Settings) -> list[dict[str, Any]]:
    when = datetime.combine(date(2022, 6, 13), time(9, 41), tzinfo=LONDON)
    base = {**_mailbox(settings), "occurred_at": when}
    return [{**base, "title": "a message was quarantined after 3 failed attempts",
             "lines": ["Last error: RuntimeError: example", "Run `mailbot requeue <Message-ID>` once it is fixed."],
             "message_id": "<ogm-860112@whatdotheyknow.com>", "enquiry_reference": SAMPLE_REFERENCE},
            {**base, "title": "10 automatic replies to one address today", "lines": [], "message_id": None,
             "enquiry_reference": None}]


def sample_contexts(name: str, settings: Settings, language: str = "en") -> list[dict[str, Any]]:
    """Every sample context for `name` (the first is the one `templates preview` shows)."""
    if name == "staff_notice":
        return staff_notice_samples(settings)
    if name == "staff_alert":
        return staff_alert_samples(settings, language)
    if name == "digest":
        return [digest_context(sample_digest(), settings), digest_context(empty_digest(), settings)]
    return reply_samples(name, settings)


def render_limit(name: str) -> int:
    """The digest may be long (a backlog); a reply never needs more than the normal cap."""
    return DIGEST_MAX_CHARS if name == "digest" else MAX_RENDERED_CHARS


class NoSuchContext(Exception):
    """A stored enquiry cannot supply what the template needs (e.g. no internal review to acknowledge)."""


def stored_context(session: Session, settings: Settings, templates: Templates, case: Case,
                   name: str) -> dict[str, Any]:
    """The context a reply about `case` would get now, built by the same code that builds real replies."""
    from mailbot.runners.act import DecisionApplier
    from mailbot.judging.decision import Decision as JudgedDecision
    from mailbot.mail.parse import parse_message

    if name not in REPLY_TEMPLATES:
        raise NoSuchContext(f"{name} is not a reply about an enquiry; preview it without --enquiry")
    review = None
    if name == "acknowledgement_review":
        review = session.scalars(select(Review).where(Review.case_id == case.id).order_by(Review.id.desc())).first()
        if review is None:
            raise NoSuchContext(f"{case.reference or '#' + str(case.id)} has no internal review")
    inbound_id = (review.inbound_id if review else
                  session.scalars(select(Decision.inbound_id).where(Decision.case_id == case.id)
                                  .order_by(Decision.id.desc())).first())
    row = session.get(InboundMessage, inbound_id) if inbound_id is not None else None
    if row is None:
        raise NoSuchContext(f"{case.reference or '#' + str(case.id)} has no stored message")
    decision = JudgedDecision(kind="request", action="preview", reasons=(), regime=case.regime,
                              applicant_name=case.applicant_name, address=case.address,
                              missing=tuple(case.missing or ()))
    return DecisionApplier(settings, templates).context(row, parse_message(row.raw), decision, case, review)
