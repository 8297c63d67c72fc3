"""What the digest contains: the queries that gather, for one period, every request and message staff must see.

Every date comes from the statutory clock (the stored dates casework.py keeps derived, read in bulk by
`store.standings`, and `clock.staff_state`), never from arithmetic here, and every state is judged as of the period's
end, so a digest issued late still describes the morning it stands for. Open cases are read in a few statements
whatever their number, and no raw mail is loaded. The values it fills (`replies.digest_model`) know nothing of the
database.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from mailbot.clock.deadlines import (
    ClockEvent,
    ClockPolicy,
    Deadline,
    compute_deadline,
    staff_state,
    working_days_between,
)
from mailbot.clock.regimes import Regime
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
from mailbot.runners.digest_ahead import credential_warnings, disposals
from mailbot.runners.unanswered import could_be_request
from mailbot.store.casework import case_deadline
from mailbot.store.models import (
    Case,
    ClockEventRow,
    Decision,
    InboundMessage,
    OutboxMessage,
    Review,
    StaffAlert,
)
from mailbot.store.standings import read_standings

ON_HOLD_SINCE = {"awaiting_clarification": "clarification_asked", "awaiting_fee": "fees_notice",
                 "lapsed": "fees_notice"}


def as_utc(moment: datetime) -> datetime:
    """Stored datetimes are UTC; SQLite hands them back naive, so naive means UTC here."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _case_label(case: Case) -> str:
    return case.reference or f"#{case.id}"


def _on_hold_since(events: list[ClockEvent], deadline: Deadline) -> date | None:
    kind = ON_HOLD_SINCE.get(deadline.state)
    if kind is None:
        return None
    days = [e.on for e in events if e.kind == kind]
    return max(days) if days else None


def _line(case: Any, review: Review | None, deadline: Deadline, today: date, policy: ClockPolicy,
          events: list[ClockEvent]) -> tuple[str, CaseLine]:
    """`case`: a Case or a row of its columns; `events`: its clock's events (needed only when it is on hold)."""
    state = staff_state(deadline, today, policy)
    label = _case_label(case) + (" (internal review)" if review is not None else "")
    since = _on_hold_since(events, deadline) if state.label == "on_hold" else None
    waiting = working_days_between(since, today, policy.calendar) if since else None
    return state.label, CaseLine(label, "internal_review" if review else case.regime, case.subject, deadline.start,
                                 deadline.due, state.text, state.working_days, since, waiting)


def _held_line(case: Any, today: date, policy: ClockPolicy) -> CaseLine:
    missing = ", ".join(json.loads(case.missing) if isinstance(case.missing, str) else case.missing or []) \
        or "details"
    return CaseLine(_case_label(case), case.regime, case.subject, case.first_received, None,
                    f"held: {missing} missing (no reference, no clock)", None, case.first_received,
                    working_days_between(case.first_received, today, policy.calendar))


_CASES = Case.__table__.c  # Core columns: plain rows, without the ORM's per-row loading
# `missing` as its stored text, decoded only for held requests (json.loads 20,000 times cost more than the rest)
CURRENT = (_CASES.id, _CASES.reference, _CASES.regime, _CASES.subject, cast(_CASES.missing, Text).label(
    "missing"), _CASES.first_received, _CASES.received, _CASES.due, _CASES.due_why, _CASES.calendar)


def _current_lines(session: Session, settings: Settings, today: date,
                   policy: ClockPolicy) -> dict[str, list[CaseLine]]:
    """Every open request, enquiry and internal review, by where it stands today: from the stored dates, with the
    events of only the cases and reviews whose stored dates cannot say it (store/standings.py)."""
    mailbox = settings.mailbox.address
    scope = [Case.mailbox == mailbox, Case.status.in_(("held", "open"))]
    standings = read_standings(session, scope, policy)
    by_label: dict[str, list[CaseLine]] = {}
    for case in session.execute(select(*CURRENT).where(*scope).order_by(Case.first_received, Case.id)):
        if case.reference is None:
            by_label.setdefault("held", []).append(_held_line(case, today, policy))
        elif standings.stale(case):  # no stored due date (on hold) or another calendar's: from its events
            deadline = standings.deadline(case, policy, today)
            assert deadline is not None  # it has a reference
            label, line = _line(case, None, deadline, today, policy, standings.events.get(case.id, []))
            by_label.setdefault(label, []).append(line)
        else:  # the common case, 20,000 times in a backlog: the stored dates say it, no Deadline built
            received, due, state = standings.standing(case, policy, today)
            by_label.setdefault(state.label, []).append(
                CaseLine(case.reference, case.regime, case.subject, received, due, state.text, state.working_days))
    open_reviews = [Review.status == "open", Case.mailbox == mailbox]
    review_events: dict[int, list[ClockEvent]] = {}
    for review_id, on, kind, note in session.execute(
            select(ClockEventRow.review_id, ClockEventRow.occurred_on, ClockEventRow.kind, ClockEventRow.note)
            .join(Review, Review.id == ClockEventRow.review_id).join(Case, Case.id == Review.case_id)
            .where(*open_reviews, ClockEventRow.case_id == Review.case_id).order_by(ClockEventRow.id)):
        review_events.setdefault(review_id or 0, []).append(ClockEvent(on, kind, note))
    reviews = session.execute(select(Review, Case).join(Case, Review.case_id == Case.id)
                              .where(*open_reviews).order_by(Review.id))
    for review, reviewed in reviews:
        events = review_events.get(review.id, [])
        deadline = compute_deadline("internal_review", review.received, events, policy, today=today)
        label, line = _line(reviewed, review, deadline, today, policy, events)
        by_label.setdefault(label, []).append(line)
    return by_label


def _new_lines(session: Session, settings: Settings, start: datetime, end: datetime, today: date,
               policy: ClockPolicy) -> list[CaseLine]:
    """Requests, enquiries and internal reviews the bot decided on in the period, as they stand now: the same few
    statements however long the period (a digest catching up after weeks)."""
    decided = (select(Decision.case_id, Decision.inbound_id, Decision.action)
               .join(InboundMessage, Decision.inbound_id == InboundMessage.id)
               .where(InboundMessage.mailbox == settings.mailbox.address, InboundMessage.processed_at >= start,
                      InboundMessage.processed_at < end, Decision.case_id.is_not(None),
                      Decision.action.in_(("acknowledge", "section8_notice", "acknowledge_review"))))
    in_period = decided.subquery()
    scope = [Case.id.in_(select(in_period.c.case_id))]
    standings = read_standings(session, scope, policy)
    cases = {case.id: case for case in session.execute(select(*CURRENT).where(*scope))}
    reviewed = [Review.inbound_id.in_(select(in_period.c.inbound_id).where(
        in_period.c.action == "acknowledge_review"))]
    reviews = {review.inbound_id: review for review in session.scalars(select(Review).where(*reviewed))}
    review_events: dict[int, list[ClockEvent]] = {}
    for review_id, on, kind, note in session.execute(
            select(ClockEventRow.review_id, ClockEventRow.occurred_on, ClockEventRow.kind, ClockEventRow.note)
            .join(Review, Review.id == ClockEventRow.review_id)
            .where(*reviewed, ClockEventRow.case_id == Review.case_id).order_by(ClockEventRow.id)):
        review_events.setdefault(review_id or 0, []).append(ClockEvent(on, kind, note))
    lines: dict[tuple[int, int | None], CaseLine] = {}
    for case_id, inbound_id, action in session.execute(
            decided.order_by(InboundMessage.processed_at, InboundMessage.id)):
        case = cases.get(case_id)
        if case is None:
            continue
        if action == "acknowledge_review":
            review = reviews.get(inbound_id)
            if review is not None:
                events = review_events.get(review.id, [])
                deadline = compute_deadline("internal_review", review.received, events, policy, today=today)
                lines[(case.id, review.id)] = _line(case, review, deadline, today, policy, events)[1]
            continue
        stood = standings.deadline(case, policy, today)
        lines[(case.id, None)] = (_held_line(case, today, policy) if stood is None else
                                  _line(case, None, stood, today, policy, standings.events.get(case.id, []))[1])
    return list(lines.values())


def _unanswered(session: Session, settings: Settings, start: datetime, end: datetime,
                policy: ClockPolicy) -> tuple[list[MessageLine], list[MessageLine]]:
    """Mail decided in the period that got no reply: for a person to look at, and robots (recorded only).

    A person's mail that may be a request carries its regime and the due date it would have."""
    rows = session.execute(
        select(InboundMessage.message_id, InboundMessage.received_date, Decision.kind, Decision.action,
               Decision.reasons, Decision.regime, Case.reference)
        .join(Decision, Decision.inbound_id == InboundMessage.id)
        .outerjoin(OutboxMessage, OutboxMessage.inbound_id == InboundMessage.id)
        .outerjoin(Case, Case.id == Decision.case_id)
        .where(InboundMessage.mailbox == settings.mailbox.address, InboundMessage.processed_at >= start,
               InboundMessage.processed_at < end, OutboxMessage.id.is_(None),
               Decision.action != "acknowledge_follow_up")  # recorded on its enquiry; acknowledging is optional
        .order_by(InboundMessage.processed_at, InboundMessage.id)).all()
    people: list[MessageLine] = []
    robots: list[MessageLine] = []
    for message_id, received, kind, action, reasons, regime, reference in rows:
        why = reasons[0] if reasons else action
        if action in REPLYING_ACTIONS:
            why = f"{action}, but there is no address to reply to"
        due = (compute_deadline(regime or "", received, policy=policy).due
               if could_be_request(action, kind, regime, reference is not None) else None)
        if due and reasons:
            why = reasons[-1]  # the chain link's own words: why this person's mail was left to staff
        line = MessageLine(message_id, received, kind, why, reference, regime if due else None, due)
        (robots if action == "none" else people).append(line)
    return people, robots


def _quarantined(session: Session, settings: Settings) -> list[MessageLine]:
    """Every message still quarantined (they stay listed until staff deal with them)."""
    rows = session.execute(select(InboundMessage.message_id, InboundMessage.received_date, InboundMessage.last_error)
                           .where(InboundMessage.mailbox == settings.mailbox.address,
                                  InboundMessage.status == "quarantined")
                           .order_by(InboundMessage.received_at, InboundMessage.id))
    return [MessageLine(message_id, received, "quarantined", error or "", None)
            for message_id, received, error in rows]


def _failed_replies(session: Session, settings: Settings) -> list[MessageLine]:
    """Every outgoing message the SMTP server refused for good (listed until staff deal with them)."""
    rows = session.execute(select(OutboxMessage.message_id, OutboxMessage.created_at, OutboxMessage.template,
                                  OutboxMessage.last_error, Case.reference)
                           .outerjoin(Case, Case.id == OutboxMessage.case_id)
                           .where(OutboxMessage.mailbox == settings.mailbox.address,
                                  OutboxMessage.status == "failed").order_by(OutboxMessage.id))
    return [MessageLine(message_id, as_utc(created).astimezone(LONDON).date() if created else None, template,
                        error or "", reference) for message_id, created, template, error, reference in rows]


def _alerts(session: Session, settings: Settings, start: datetime, end: datetime) -> list[AlertLine]:
    rows = session.scalars(select(StaffAlert).where(StaffAlert.mailbox == settings.mailbox.address,
                                                    StaffAlert.last_at >= start, StaffAlert.first_at < end)
                           .order_by(StaffAlert.day, StaffAlert.id))
    return [AlertLine(row.detail, row.day, row.occurrences) for row in rows]


def on_time_rate(session: Session, settings: Settings, year: int, policy: ClockPolicy) -> OnTimeRate:
    """Answered on or before the due date / answered, over enquiries answered in `year` (clock events "answered").

    The latest answer is the one that counts, against the stored due date (re-derived only where another calendar
    produced it): one statement, not a deadline computed per enquiry. An enquiry answered while its clock was
    stopped with no due date (awaiting clarification) counts as on time: nothing was due."""
    latest = func.max(ClockEventRow.occurred_on)
    answers = (select(ClockEventRow.case_id, latest.label("answered_on"))
               .join(Case, ClockEventRow.case_id == Case.id)
               .where(Case.mailbox == settings.mailbox.address, ClockEventRow.kind == "answered",
                      ClockEventRow.review_id.is_(None))
               .group_by(ClockEventRow.case_id)
               .having(latest >= date(year, 1, 1), latest <= date(year, 12, 31)).subquery())
    rows = session.execute(select(Case.id, Case.regime, Case.due, Case.calendar, answers.c.answered_on)
                           .join(answers, answers.c.case_id == Case.id))
    calendars = (policy.calendar.identity, policy.sar_calendar.identity)
    answered = on_time = 0
    for case_id, regime, due, calendar, answered_on in rows:
        stale = session.get(Case, case_id) if calendar != calendars[regime == Regime.SAR] else None
        if stale is not None:
            due = case_deadline(session, stale, policy).due  # a bank holiday proclaimed since: as the clock says
        answered += 1
        on_time += due is None or answered_on <= due
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
        alerts=Section.of(credential_warnings(settings, today) + _alerts(session, settings, start_utc, end_utc)),
        on_time=on_time_rate(session, settings, today.year, policy),
        disposals=Section.of(disposals(session, settings, today)),
        disposal_days=settings.retention.notice_days,
    )
