"""Which templates mailbot sends, the variables each gets, and sample data to render them with.

One list serves `mailbot templates check` (every template must render with every sample), `templates preview`,
and the tests (every variable here must be documented in templates/README.md), so a template cannot be added or
changed without its samples and documentation following.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from mailbot.clock.deadlines import compute_deadline
from mailbot.clock.workdays import LONDON
from mailbot.config import Settings
from mailbot.replies.context import (
    digest_context,
    mailbox_variables,
    staff_alert_context,
    staff_notice_context,
)
from mailbot.replies.digest_model import (
    DIGEST_MAX_CHARS,
    AlertLine,
    CaseLine,
    Digest,
    DisposalLine,
    MessageLine,
    OnTimeRate,
    Section,
)
from mailbot.replies.templates import MAX_RENDERED_CHARS


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

# Which template acknowledges a valid request under each regime (an internal review is acknowledged as one).
ACKNOWLEDGEMENTS: dict[str, str] = {
    "foi": "acknowledgement_foi",
    "eir": "acknowledgement_eir",
    "sar": "acknowledgement_sar",
    "internal_review": "acknowledgement_review",
}
_ACKNOWLEDGED = {template: regime for regime, template in ACKNOWLEDGEMENTS.items()}


def acknowledgement_template(regime: str) -> str:
    """The template that answers a valid request under `regime`."""
    return ACKNOWLEDGEMENTS[regime]


def acknowledged_regime(template: str) -> str | None:
    """The regime whose requests `template` acknowledges; None for a template that acknowledges none."""
    return _ACKNOWLEDGED.get(template)


CLOCK_VARIABLES = ("working_days", "foi_extension_working_days", "eir_extended_working_days",
                   "review_extended_working_days", "sar_extended_months", "eir_reconsideration_working_days",
                   "ico_complaint_url")
MAILBOX_VARIABLES = ("organisation", "mailbox_address", "mailbox_display_name", *CLOCK_VARIABLES)  # every template's
REPLY_VARIABLES = (*MAILBOX_VARIABLES, "requester_name", "reference", "regime", "received", "first_received", "due",
                   "due_why", "request_due", "missing", "subject", "subject_stem", "request_summary")
STAFF_ALERT_VARIABLES = (*MAILBOX_VARIABLES, "template", "language", "problems", "message_id", "enquiry_reference",
                         "occurred_at")
STAFF_NOTICE_VARIABLES = (*MAILBOX_VARIABLES, "title", "lines", "message_id", "enquiry_reference", "occurred_at")
DIGEST_VARIABLES = (*MAILBOX_VARIABLES, "digest", "due_soon_days")

SAMPLE_SUBJECT = "Facial recognition technology"
SAMPLE_SUMMARY = ("Please provide the number of times live facial recognition was used in 2021, and the policy "
                  "that governs its use.")
SAMPLE_REFERENCE = "13931/2022"
SAMPLE_FIRST_RECEIVED = date(2022, 5, 10)
SAMPLE_RECEIVED = date(2022, 5, 12)
SAMPLE_REVIEW_RECEIVED = date(2022, 6, 20)

def reply_samples(name: str, settings: Settings) -> list[dict[str, Any]]:
    """Contexts covering each branch a reply template has (name given or not, what is missing, due or not).

    Due dates come from the statutory clock, as in a real reply."""
    policy = settings.clock_policy()
    base = {**mailbox_variables(settings), "subject": f"Re: {SAMPLE_SUBJECT}", "subject_stem": SAMPLE_SUBJECT,
            "request_summary": SAMPLE_SUMMARY, "first_received": SAMPLE_FIRST_RECEIVED}
    if name == "section8_notice":
        return [{**base, "requester_name": who, "reference": None, "regime": "foi", "received": SAMPLE_FIRST_RECEIVED,
                 "due": None, "due_why": None, "request_due": None, "missing": missing}
                for who in ("Fred", None) for missing in (["name"], ["description"], ["name", "description"])]
    regime = acknowledged_regime(name) or "foi"  # a follow-up is sampled on an FOI request
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
    return [staff_alert_context(settings, template="acknowledgement_foi", language=language, problems=[problem],
                                message_id="<ogm-860112@whatdotheyknow.com>", reference=SAMPLE_REFERENCE,
                                occurred_at=when),
            staff_alert_context(settings, template="digest", language=language,
                                problems=[problem, "/etc/mailbot/templates/staff_alert/subject.txt:1: syntax error"],
                                message_id=None, reference=None, occurred_at=when)]


def staff_notice_samples(settings: Settings) -> list[dict[str, Any]]:
    when = datetime.combine(date(2022, 6, 13), time(9, 41), tzinfo=LONDON)
    return [staff_notice_context(settings, title="a message was quarantined after 3 failed attempts",
                                 lines=["Last error: RuntimeError: example",
                                        "Run `mailbot requeue <Message-ID>` once it is fixed."],
                                 message_id="<ogm-860112@whatdotheyknow.com>", reference=SAMPLE_REFERENCE,
                                 occurred_at=when),
            staff_notice_context(settings, title="10 automatic replies to one address today", lines=[],
                                 message_id=None, reference=None, occurred_at=when)]


def sample_digest(today: date = date(2022, 6, 13)) -> Digest:
    """A digest with a line in every section (no database)."""
    end = datetime.combine(today, time(8, 0), tzinfo=LONDON)
    line = CaseLine("13931/2022", "foi", "Facial recognition", date(2022, 5, 12), today, "due today", 0)
    soon = CaseLine("13940/2022", "eir", "Air quality monitoring", date(2022, 5, 16), date(2022, 6, 15),
                    "due in 2 working days", 2)
    late = CaseLine("13902/2022", "foi", "Overtime budget", date(2022, 5, 3), date(2022, 6, 6),
                    "overdue (5 working days late)", 5)
    very = CaseLine("13811/2022", "sar", "My records", date(2022, 3, 1), date(2022, 4, 1),
                    "long overdue (48 working days late)", 48)
    held = CaseLine("#12", "foi", "Speed cameras", date(2022, 6, 8), None,
                    "held: name missing (no reference, no clock)", None, date(2022, 6, 8), 3)
    waiting = CaseLine("13920/2022 (internal review)", "internal_review", "Stop and search", date(2022, 5, 20), None,
                       "on hold: awaiting clarification", None, date(2022, 6, 1), 7)
    person = MessageLine("<q-1@example.org>", today, "follow_up", "no enquiry matches this reply", None)
    campaign = MessageLine("<rr-1@example.org>", date(2022, 6, 10), "request",
                           "bulk-request: a request sent through a bulk or campaign tool", None, "foi",
                           date(2022, 7, 8))
    robot = MessageLine("<ooo-1@example.org>", today, "auto_reply", "an out-of-office reply", None)
    stuck = MessageLine("<bad-1@example.org>", today, "quarantined", "ValueError: unreadable", None)
    failed = MessageLine("<reply-1@police.example.uk>", today, "acknowledgement_foi", "550 5.1.1 no such user",
                         "13935/2022")
    alert = AlertLine("/etc/mailbot/templates/acknowledgement_foi/text.txt:3: 'requestor_name' is undefined",
                      today, 2)
    return Digest(
        period_start=end - timedelta(days=3), period_end=end, today=today, on_time=OnTimeRate(today.year, 40, 37),
        new=Section.of([line, held]), held=Section.of([held, waiting]), due_soon=Section.of([soon]),
        due_today=Section.of([line]), overdue=Section.of([late]), long_overdue=Section.of([very]),
        needs_staff=Section.of([person, campaign]), robots=Section.of([robot]), quarantined=Section.of([stuck]),
        failed_replies=Section.of([failed]), alerts=Section.of([alert]),
        disposals=Section.of([DisposalLine("13201/2019", "closed_case", today + timedelta(days=9),
                                           "anonymised: name, address, subject, message and reply texts removed"),
                              DisposalLine("14 messages", "unanswered_mail", today + timedelta(days=2),
                                           "raw message and decision facts removed")]),
    )


def empty_digest(today: date = date(2022, 6, 13)) -> Digest:
    """A quiet day: every section empty and nothing answered yet this year (the template must cope)."""
    end = datetime.combine(today, time(8, 0), tzinfo=LONDON)
    return Digest(period_start=end - timedelta(days=1), period_end=end, today=today,
                  on_time=OnTimeRate(today.year, 0, 0))


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
