"""The staff digest: one email each working morning with everything staff must act on, and how the year is going.

Every date in it comes from the statutory clock (`casework.case_deadline`, `review_deadline`, `clock.staff_state`),
never from arithmetic here. Each digest covers a period that starts exactly where the previous one ended (the
watermark in the `digests` table), so after a weekend, a bank holiday or an outage the next digest covers the whole
gap; a period can start only once (a unique key), so two runners or a restart cannot send the same digest twice.
It goes out through the outbox, in the same transaction that records its period.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailbot.runners.alerts import alert_template_problem
from mailbot.store.casework import case_deadline, clock_events, review_deadline
from mailbot.clock.deadlines import ClockPolicy, Deadline, staff_state, working_days_between
from mailbot.config import Settings
from mailbot.judging.decision import REPLYING_ACTIONS
from mailbot.mail.compose import RenderedReply
from mailbot.replies.templates import Templates
from mailbot.runners.staff_mail import queue_staff_mail
from mailbot.store.db import Database
from mailbot.store.models import (
    Case,
    ClockEventRow,
    Decision,
    DigestRecord,
    InboundMessage,
    OutboxMessage,
    Review,
    StaffAlert,
)
from mailbot.clock.workdays import LONDON

log = logging.getLogger(__name__)

DUE_SOON_WORKING_DAYS = 5
ICO_TARGET_PERCENT = 90  # the ICO monitors authorities answering fewer than 90% of requests on time
MAX_ROWS = 300  # per section; the rest is counted ("and N more"), so a backlog cannot make the mail unsendable
DIGEST_MAX_CHARS = 2_000_000
ON_HOLD_SINCE = {"awaiting_clarification": "clarification_asked", "awaiting_fee": "fees_notice",
                 "lapsed": "fees_notice"}


class DigestError(Exception):
    """The digest cannot be issued as asked (e.g. nobody to send it to); the message says why."""


def as_utc(moment: datetime) -> datetime:
    """Stored datetimes are UTC; SQLite hands them back naive, so naive means UTC here."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# -- what the digest says ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseLine:
    """One request, enquiry or internal review in a section."""

    label: str  # "13931/2022", "13931/2022 (internal review)", or "#12" while held without a reference
    regime: str
    subject: str
    received: date | None  # the day the clock runs from (for a held request: when it first arrived)
    due: date | None
    state: str  # "due in 3 working days", "overdue (2 working days late)", "held: name missing", …
    working_days: int | None = None  # until due (due soon), or past due (overdue), as clock.staff_state counts
    since: date | None = None  # on hold since (held, awaiting clarification or a fee)
    waiting_working_days: int | None = None  # working days on hold so far


@dataclass(frozen=True)
class MessageLine:
    """One inbound message the bot did not answer, or one reply that could not be delivered."""

    message_id: str
    received: date | None
    kind: str  # robot kind, "request"/"follow_up", or the reply's template
    why: str  # the first reason, or the error
    reference: str | None = None


@dataclass(frozen=True)
class AlertLine:
    detail: str  # `path:line: message`
    day: date
    occurrences: int


@dataclass(frozen=True)
class Section:
    """A list capped at MAX_ROWS; `total` counts everything, `more` what was left out."""

    rows: tuple[Any, ...] = ()
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.rows)

    def __len__(self) -> int:
        return self.total

    def __bool__(self) -> bool:
        return self.total > 0

    @classmethod
    def of(cls, rows: Iterable[Any]) -> Section:
        items = list(rows)
        return cls(tuple(items[:MAX_ROWS]), len(items))


@dataclass(frozen=True)
class OnTimeRate:
    """Enquiries answered this calendar year, and how many on or before their due date."""

    year: int
    answered: int
    on_time: int
    target_percent: int = ICO_TARGET_PERCENT

    @property
    def percent(self) -> float | None:
        return round(100 * self.on_time / self.answered, 1) if self.answered else None

    @property
    def meets_target(self) -> bool | None:
        return None if self.percent is None else self.percent >= self.target_percent


@dataclass(frozen=True)
class Digest:
    period_start: datetime  # Europe/London
    period_end: datetime  # Europe/London
    today: date
    on_time: OnTimeRate
    new: Section = field(default_factory=Section)
    held: Section = field(default_factory=Section)
    due_soon: Section = field(default_factory=Section)
    due_today: Section = field(default_factory=Section)
    overdue: Section = field(default_factory=Section)
    long_overdue: Section = field(default_factory=Section)
    needs_staff: Section = field(default_factory=Section)
    robots: Section = field(default_factory=Section)
    quarantined: Section = field(default_factory=Section)
    failed_replies: Section = field(default_factory=Section)
    alerts: Section = field(default_factory=Section)

    @property
    def needs_action(self) -> int:
        """What the subject line leads with: due today, overdue, and mail waiting for a person."""
        return (self.due_today.total + self.overdue.total + self.long_overdue.total + self.needs_staff.total
                + self.quarantined.total + self.failed_replies.total)


def digest_context(digest: Digest, settings: Settings) -> dict[str, Any]:
    """Every variable the digest template gets (documented in templates/README.md)."""
    mailbox = settings.mailbox
    return {
        "organisation": mailbox.organisation,
        "mailbox_address": mailbox.address,
        "mailbox_display_name": mailbox.display_name,
        "digest": digest,
        "due_soon_days": DUE_SOON_WORKING_DAYS,
    }


# -- gathering it ------------------------------------------------------------------------------------------------


def _case_label(case: Case) -> str:
    return case.reference or f"#{case.id}"


def _on_hold_since(session: Session, case: Case, review: Review | None, deadline: Deadline) -> date | None:
    kind = ON_HOLD_SINCE.get(deadline.state)
    if kind is None:
        return None
    days = [e.on for e in clock_events(session, case, review) if e.kind == kind]
    return max(days) if days else None


def _line(session: Session, case: Case, review: Review | None, deadline: Deadline, today: date,
          policy: ClockPolicy) -> tuple[str, CaseLine]:
    state = staff_state(deadline, today, policy)
    label = _case_label(case) + (" (internal review)" if review is not None else "")
    since = _on_hold_since(session, case, review, deadline) if state.label == "on_hold" else None
    waiting = working_days_between(since, today, policy.calendar) if since else None
    return state.label, CaseLine(label, "internal_review" if review else case.regime, case.subject, deadline.start,
                                 deadline.due, state.text, state.working_days, since, waiting)


def _held_line(case: Case, today: date, policy: ClockPolicy) -> CaseLine:
    missing = ", ".join(case.missing or []) or "details"
    return CaseLine(_case_label(case), case.regime, case.subject, case.first_received, None,
                    f"held: {missing} missing (no reference, no clock)", None, case.first_received,
                    working_days_between(case.first_received, today, policy.calendar))


def _current_lines(session: Session, settings: Settings, today: date,
                   policy: ClockPolicy) -> dict[str, list[CaseLine]]:
    """Every open request, enquiry and internal review, by where it stands today."""
    mailbox = settings.mailbox.address
    by_label: dict[str, list[CaseLine]] = {}
    cases = session.scalars(select(Case).where(Case.mailbox == mailbox, Case.status.in_(("held", "open")))
                            .order_by(Case.first_received, Case.id))
    for case in cases:
        if case.reference is None:
            by_label.setdefault("held", []).append(_held_line(case, today, policy))
            continue
        label, line = _line(session, case, None, case_deadline(session, case, policy, today), today, policy)
        by_label.setdefault(label, []).append(line)
    reviews = session.scalars(select(Review).join(Case, Review.case_id == Case.id)
                              .where(Case.mailbox == mailbox, Review.status == "open").order_by(Review.id))
    for review in reviews:
        deadline = review_deadline(session, review, policy, today)
        label, line = _line(session, review.case, review, deadline, today, policy)
        by_label.setdefault(label, []).append(line)
    return by_label


def _new_lines(session: Session, settings: Settings, start: datetime, end: datetime, today: date,
               policy: ClockPolicy) -> list[CaseLine]:
    """Requests, enquiries and internal reviews the bot decided on in the period, as they stand now."""
    decisions = session.execute(
        select(Decision)
        .join(InboundMessage, Decision.inbound_id == InboundMessage.id)
        .where(InboundMessage.mailbox == settings.mailbox.address, InboundMessage.processed_at >= start,
               InboundMessage.processed_at < end,
               Decision.action.in_(("acknowledge", "section8_notice", "acknowledge_review")))
        .order_by(InboundMessage.processed_at, InboundMessage.id)).scalars().all()
    lines: dict[tuple[int, int | None], CaseLine] = {}
    for decision in decisions:
        case = decision.case
        if case is None:
            continue
        if decision.action == "acknowledge_review":
            review = session.scalars(select(Review).where(Review.inbound_id == decision.inbound_id)).one_or_none()
            if review is not None:
                lines[(case.id, review.id)] = _line(session, case, review, review_deadline(session, review, policy,
                                                                                           today), today, policy)[1]
            continue
        if case.reference is None:
            lines[(case.id, None)] = _held_line(case, today, policy)
        else:
            lines[(case.id, None)] = _line(session, case, None, case_deadline(session, case, policy, today), today,
                                           policy)[1]
    return list(lines.values())


def _unanswered(session: Session, settings: Settings, start: datetime,
                end: datetime) -> tuple[list[MessageLine], list[MessageLine]]:
    """Mail decided in the period that got no reply: for a person to look at, and robots (recorded only)."""
    rows = session.execute(
        select(InboundMessage, Decision)
        .join(Decision, Decision.inbound_id == InboundMessage.id)
        .outerjoin(OutboxMessage, OutboxMessage.inbound_id == InboundMessage.id)
        .where(InboundMessage.mailbox == settings.mailbox.address, InboundMessage.processed_at >= start,
               InboundMessage.processed_at < end, OutboxMessage.id.is_(None),
               Decision.action != "acknowledge_follow_up")  # recorded on its enquiry; acknowledging is optional
        .order_by(InboundMessage.processed_at, InboundMessage.id)).all()
    people, robots = [], []
    for inbound, decision in rows:
        reference = decision.case.reference if decision.case else None
        why = decision.reasons[0] if decision.reasons else decision.action
        if decision.action in REPLYING_ACTIONS:
            why = f"{decision.action}, but there is no address to reply to"
        line = MessageLine(inbound.message_id, inbound.received_date, decision.kind, why, reference)
        (robots if decision.action == "none" else people).append(line)
    return people, robots


def _quarantined(session: Session, settings: Settings) -> list[MessageLine]:
    """Every message still quarantined (they stay listed until staff deal with them)."""
    rows = session.scalars(select(InboundMessage).where(InboundMessage.mailbox == settings.mailbox.address,
                                                        InboundMessage.status == "quarantined")
                           .order_by(InboundMessage.received_at, InboundMessage.id))
    return [MessageLine(row.message_id, row.received_date, "quarantined", row.last_error or "", None) for row in rows]


def _failed_replies(session: Session, settings: Settings) -> list[MessageLine]:
    """Every outgoing message the SMTP server refused for good (listed until staff deal with them)."""
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.mailbox == settings.mailbox.address,
                                                       OutboxMessage.status == "failed").order_by(OutboxMessage.id))
    lines = []
    for row in rows:
        case = session.get(Case, row.case_id) if row.case_id else None
        created = as_utc(row.created_at).astimezone(LONDON).date() if row.created_at else None
        lines.append(MessageLine(row.message_id, created, row.template, row.last_error or "",
                                 case.reference if case else None))
    return lines


def _alerts(session: Session, settings: Settings, start: datetime, end: datetime) -> list[AlertLine]:
    rows = session.scalars(select(StaffAlert).where(StaffAlert.mailbox == settings.mailbox.address,
                                                    StaffAlert.last_at >= start, StaffAlert.first_at < end)
                           .order_by(StaffAlert.day, StaffAlert.id))
    return [AlertLine(row.detail, row.day, row.occurrences) for row in rows]


def on_time_rate(session: Session, settings: Settings, year: int, policy: ClockPolicy) -> OnTimeRate:
    """Answered on or before the due date / answered, over enquiries answered in `year` (clock events "answered").

    An enquiry answered while its clock was stopped with no due date (awaiting clarification) counts as on time:
    nothing was due."""
    case_ids = session.scalars(
        select(ClockEventRow.case_id).distinct()
        .join(Case, ClockEventRow.case_id == Case.id)
        .where(Case.mailbox == settings.mailbox.address, ClockEventRow.kind == "answered",
               ClockEventRow.review_id.is_(None),
               ClockEventRow.occurred_on >= date(year, 1, 1), ClockEventRow.occurred_on <= date(year, 12, 31)))
    answered = on_time = 0
    for case_id in case_ids:
        case = session.get(Case, case_id)
        deadline = case_deadline(session, case, policy)
        if deadline.answered_on is None or deadline.answered_on.year != year:
            continue  # answered again later: the latest answer is the one that counts
        answered += 1
        on_time += deadline.due is None or deadline.answered_on <= deadline.due
    return OnTimeRate(year, answered, on_time)


def gather(session: Session, settings: Settings, start: datetime, end: datetime) -> Digest:
    """The digest for the period [start, end), with every state judged as of end's London date."""
    policy = settings.clock_policy()
    start_utc, end_utc = as_utc(start), as_utc(end)
    today = end_utc.astimezone(LONDON).date()
    current = _current_lines(session, settings, today, policy)
    due_soon = [line for line in current.get("due_in", [])
                if line.working_days is not None and line.working_days <= DUE_SOON_WORKING_DAYS]
    people, robots = _unanswered(session, settings, start_utc, end_utc)
    by_due = sorted(due_soon, key=lambda line: (line.due or today, line.label))
    return Digest(
        period_start=start_utc.astimezone(LONDON),
        period_end=end_utc.astimezone(LONDON),
        today=today,
        new=Section.of(_new_lines(session, settings, start_utc, end_utc, today, policy)),
        held=Section.of(current.get("held", []) + current.get("on_hold", [])),
        due_soon=Section.of(by_due),
        due_today=Section.of(current.get("due_today", [])),
        overdue=Section.of(sorted(current.get("overdue", []), key=lambda line: (line.due or today, line.label))),
        long_overdue=Section.of(sorted(current.get("long_overdue", []),
                                       key=lambda line: (line.due or today, line.label))),
        needs_staff=Section.of(people),
        robots=Section.of(robots),
        quarantined=Section.of(_quarantined(session, settings)),
        failed_replies=Section.of(_failed_replies(session, settings)),
        alerts=Section.of(_alerts(session, settings, start_utc, end_utc)),
        on_time=on_time_rate(session, settings, today.year, policy),
    )


# -- when, and sending it once -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestOutcome:
    issued: bool
    reason: str
    period_start: datetime | None = None
    period_end: datetime | None = None
    message_ids: tuple[str, ...] = ()
    digest_id: int | None = None


class DigestRunner:
    """Decides whether a digest is due, builds it, and issues it exactly once per period."""

    def __init__(self, settings: Settings, db: Database, templates: Templates) -> None:
        self.settings = settings
        self.db = db
        self.templates = templates
        self.calendar = settings.working_calendar()
        self.mailbox = settings.mailbox.address

    @property
    def recipients(self) -> tuple[str, ...]:
        return self.settings.digest_recipients

    def slot(self, day: date) -> datetime:
        """The configured time on `day`, Europe/London (so 08:00 stays 08:00 across the clock change)."""
        hour, minute = self.settings.digest.hour_minute
        return datetime.combine(day, time(hour, minute), tzinfo=LONDON)

    def is_due(self, now: datetime) -> bool:
        """A working day (no weekend, no bank holiday in any UK nation) and the time has come."""
        today = as_utc(now).astimezone(LONDON).date()
        return self.calendar.is_working_day(today) and as_utc(now) >= as_utc(self.slot(today))

    def first_start(self, now: datetime) -> datetime:
        """Where the very first digest starts: the previous working day's slot (the same for every runner)."""
        day = as_utc(now).astimezone(LONDON).date() - timedelta(days=1)
        while not self.calendar.is_working_day(day):
            day -= timedelta(days=1)
        return self.slot(day)

    def _last(self, session: Session, lock: bool = False) -> DigestRecord | None:
        query = (select(DigestRecord).where(DigestRecord.mailbox == self.mailbox)
                 .order_by(DigestRecord.period_end.desc(), DigestRecord.id.desc()).limit(1))
        return session.scalars(query.with_for_update() if lock else query).first()

    def next_period_start(self, session: Session, now: datetime, lock: bool = False) -> datetime:
        last = self._last(session, lock)
        return as_utc(last.period_end) if last else as_utc(self.first_start(now))

    def render(self, session: Session, start: datetime, now: datetime) -> tuple[Digest, RenderedReply]:
        """The digest and its email; a broken admin digest template falls back to the shipped one (and alerts)."""
        digest = gather(session, self.settings, start, now)
        rendering = self.templates.render_or_default("digest", digest_context(digest, self.settings),
                                                     max_chars=DIGEST_MAX_CHARS)
        if rendering.problem is not None:
            log.error("digest template failed; used the shipped default: %s", rendering.problem)
            alert_template_problem(session, self.settings, self.templates, rendering.problem, message_id=None,
                                   reference=None, now=now)
        return digest, rendering.reply

    def preview(self, now: datetime) -> tuple[Digest, RenderedReply]:
        """What the next digest would say if issued at `now`; records nothing."""
        with Session(self.db.engine) as session:
            try:
                return self.render(session, self.next_period_start(session, now), now)
            finally:
                session.rollback()  # a preview must not leave even an alert row behind

    def issue(self, now: datetime, *, scheduled: bool) -> DigestOutcome:
        """Queue the digest for [last watermark, now) to every recipient and record the period, in one transaction.

        `scheduled`: only on a working day at or after the configured time, and only if no digest has been issued
        since today's slot (a restart or a second runner finds it already done).
        """
        if not self.recipients:
            raise DigestError("no digest recipients: set digest.recipients or staff.recipients")
        if scheduled and not self.is_due(now):
            return DigestOutcome(False, "not due: not a working day, or before the digest time")
        today_slot = as_utc(self.slot(as_utc(now).astimezone(LONDON).date()))
        try:
            with self.db.session() as session:
                last = self._last(session, lock=True)
                if scheduled and last is not None and as_utc(last.period_end) >= today_slot:
                    return DigestOutcome(False, "already issued for today")
                start = as_utc(last.period_end) if last else as_utc(self.first_start(now))
                if start >= as_utc(now):
                    return DigestOutcome(False, "the last digest already covers up to now")
                _digest, rendered = self.render(session, start, now)
                record = DigestRecord(mailbox=self.mailbox, period_start=start, period_end=as_utc(now),
                                      sent_at=as_utc(now), message_ids=[])
                session.add(record)
                session.flush()  # the unique period start: a concurrent runner's digest makes this one fail here
                record.message_ids = queue_staff_mail(session, self.settings, rendered, self.recipients, "digest",
                                                      now)
                outcome = DigestOutcome(True, "issued", start, as_utc(now), tuple(record.message_ids), record.id)
        except IntegrityError:
            return DigestOutcome(False, "already issued by another runner")
        log.info("digest #%s queued for %d recipients: %s to %s", outcome.digest_id, len(outcome.message_ids),
                 start.isoformat(), as_utc(now).isoformat())
        return outcome


def sample_digest(today: date = date(2022, 6, 13)) -> Digest:
    """A digest with a line in every section, for `templates check` and `templates preview` (no database)."""
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
        needs_staff=Section.of([person]), robots=Section.of([robot]), quarantined=Section.of([stuck]),
        failed_replies=Section.of([failed]), alerts=Section.of([alert]),
    )


def empty_digest(today: date = date(2022, 6, 13)) -> Digest:
    """A quiet day: every section empty and nothing answered yet this year (the template must cope)."""
    end = datetime.combine(today, time(8, 0), tzinfo=LONDON)
    return Digest(period_start=end - timedelta(days=1), period_end=end, today=today,
                  on_time=OnTimeRate(today.year, 0, 0))


__all__: Sequence[str] = ("Digest", "DigestError", "DigestOutcome", "DigestRunner", "digest_context", "gather",
                          "on_time_rate", "sample_digest")
