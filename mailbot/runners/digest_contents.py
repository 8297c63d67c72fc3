"""What the digest contains: the queries that gather, for one period, every request and message staff must see.

Every date comes from the statutory clock (`casework.case_deadline`, `review_deadline`, `clock.staff_state`),
never from arithmetic here, and every state is judged as of the period's end, so a digest issued late still
describes the morning it stands for. The values it fills (`replies.digest_model`) know nothing of the database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.clock.deadlines import ClockPolicy, Deadline, staff_state, working_days_between
from mailbot.clock.workdays import LONDON
from mailbot.config import Settings
from mailbot.judging.decision import REPLYING_ACTIONS
from mailbot.replies.digest_model import (
    DUE_SOON_WORKING_DAYS,
    AlertLine,
    CaseLine,
    Digest,
    MessageLine,
    OnTimeRate,
    Section,
)
from mailbot.runners.unanswered import would_be_due
from mailbot.store.casework import case_deadline, clock_events, review_deadline
from mailbot.store.models import (
    Case,
    ClockEventRow,
    Decision,
    InboundMessage,
    OutboxMessage,
    Review,
    StaffAlert,
)

ON_HOLD_SINCE = {"awaiting_clarification": "clarification_asked", "awaiting_fee": "fees_notice",
                 "lapsed": "fees_notice"}


def as_utc(moment: datetime) -> datetime:
    """Stored datetimes are UTC; SQLite hands them back naive, so naive means UTC here."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


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


def _unanswered(session: Session, settings: Settings, start: datetime, end: datetime,
                policy: ClockPolicy) -> tuple[list[MessageLine], list[MessageLine]]:
    """Mail decided in the period that got no reply: for a person to look at, and robots (recorded only).

    A person's mail that may be a request carries its regime and the due date it would have."""
    rows = session.execute(
        select(InboundMessage, Decision)
        .join(Decision, Decision.inbound_id == InboundMessage.id)
        .outerjoin(OutboxMessage, OutboxMessage.inbound_id == InboundMessage.id)
        .where(InboundMessage.mailbox == settings.mailbox.address, InboundMessage.processed_at >= start,
               InboundMessage.processed_at < end, OutboxMessage.id.is_(None),
               Decision.action != "acknowledge_follow_up")  # recorded on its enquiry; acknowledging is optional
        .order_by(InboundMessage.processed_at, InboundMessage.id)).all()
    people: list[MessageLine] = []
    robots: list[MessageLine] = []
    for inbound, decision in rows:
        reference = decision.case.reference if decision.case else None
        why = decision.reasons[0] if decision.reasons else decision.action
        if decision.action in REPLYING_ACTIONS:
            why = f"{decision.action}, but there is no address to reply to"
        due = would_be_due(decision, inbound.received_date, policy)
        if due and decision.reasons:
            why = decision.reasons[-1]  # the chain link's own words: why this person's mail was left to staff
        line = MessageLine(inbound.message_id, inbound.received_date, decision.kind, why, reference,
                           decision.regime if due else None, due)
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
        assert case is not None  # the query joined it
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
    people, robots = _unanswered(session, settings, start_utc, end_utc, policy)
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
