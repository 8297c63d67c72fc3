"""Casework on stored requests: recording clock events (by the bot or by staff) and keeping due dates derived.

A case's `received`, `due`, `due_why` and `calendar` columns are a cache of `clock.compute_deadline` over its
receipt date and its clock events, refreshed whenever an event is recorded (or on purpose, by `requests
recompute`, after a calendar change). The events themselves are only ever appended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.clock.deadlines import EVENT_KINDS, ClockEvent, ClockPolicy, Deadline, compute_deadline
from mailbot.store.models import Case, ClockEventRow, Review

STATUS_AFTER = {"answered": "answered", "closed": "closed", "withdrawn": "withdrawn", "reopened": "open"}


class CaseworkError(Exception):
    """A staff action that cannot be recorded as asked; the message says why."""


def clock_events(session: Session, case: Case, review: Review | None = None) -> list[ClockEvent]:
    rows = session.scalars(select(ClockEventRow).where(
        ClockEventRow.case_id == case.id,
        ClockEventRow.review_id.is_(None) if review is None else ClockEventRow.review_id == review.id,
    ).order_by(ClockEventRow.id))
    return [ClockEvent(row.occurred_on, row.kind, row.note) for row in rows]


def awaiting_clarification(session: Session, case: Case) -> bool:
    """Whether we asked the requester a question that is still unanswered (so their reply restarts the clock)."""
    events = clock_events(session, case)
    asked = [e.on for e in events if e.kind == "clarification_asked"]
    received = [e.on for e in events if e.kind == "clarification_received"]
    return bool(asked) and (not received or max(received) < max(asked))


def case_deadline(session: Session, case: Case, policy: ClockPolicy, today: date | None = None) -> Deadline:
    return compute_deadline(case.regime, case.first_received, clock_events(session, case), policy, today=today)


def review_deadline(session: Session, review: Review, policy: ClockPolicy, today: date | None = None) -> Deadline:
    return compute_deadline("internal_review", review.received, clock_events(session, review.case, review), policy,
                            today=today)


@dataclass(frozen=True)
class Refresh:
    """What a refresh changed, so `requests recompute` can report it."""

    before: date | None
    after: date | None
    calendar_before: str | None
    calendar_after: str
    deadline: Deadline

    @property
    def changed(self) -> bool:
        return self.before != self.after


def refresh_case(session: Session, case: Case, policy: ClockPolicy) -> Refresh:
    deadline = case_deadline(session, case, policy)
    refresh = Refresh(case.due, deadline.due, case.calendar, deadline.calendar, deadline)
    if case.reference is not None:  # a held request has no clock yet
        case.received, case.due, case.due_why, case.calendar = deadline.start, deadline.due, deadline.why, \
            deadline.calendar
    return refresh


def refresh_review(session: Session, review: Review, policy: ClockPolicy) -> Refresh:
    deadline = review_deadline(session, review, policy)
    refresh = Refresh(review.due, deadline.due, review.calendar, deadline.calendar, deadline)
    # Optional in Deadline because a stopped clock has no due date; reviews.due is NOT NULL, so a review whose
    # clock was stopped is refused at flush, as it always was.
    review.due = deadline.due  # type: ignore[assignment]  # see above: NOT NULL refuses a None at flush
    review.due_why, review.calendar = deadline.why, deadline.calendar
    return refresh


def _check_event(case: Case, kind: str, on: date, review: Review | None) -> None:
    if kind not in EVENT_KINDS:
        raise CaseworkError(f"unknown event {kind!r}; expected one of {', '.join(EVENT_KINDS)}")
    start = review.received if review else case.first_received
    if on < start:
        raise CaseworkError(f"{on.isoformat()} is before the request was received ({start.isoformat()})")
    target = review if review is not None else case
    if kind == "reopened" and target.status not in ("answered", "closed", "withdrawn"):
        raise CaseworkError(f"only an answered, closed or withdrawn {'review' if review else 'request'} can be "
                            f"reopened (this one is {target.status})")
    if review is None and case.reference is None and kind == "completed":
        # The event alone would leave it held without a reference: releasing gives it one (runners/held.py).
        raise CaseworkError("a held request is completed by releasing it, which gives it its reference: use "
                            "'Release the request' on its page")
    if review is None and case.reference is None and kind not in ("closed", "withdrawn"):
        # A held request can still be ended (an abandoned Section 8 request must not stay "held" for ever).
        raise CaseworkError("a held request has no clock yet: it starts when the request is complete")


def _check_after_reopening(session: Session, case: Case, kind: str, on: date, review: Review | None) -> None:
    """A stop dated on or before the latest reopening would be undone by it (clock.deadlines.in_force)."""
    if kind not in STATUS_AFTER or kind == "reopened":
        return
    reopened = [e.on for e in clock_events(session, case, review) if e.kind == "reopened"]
    if reopened and on <= max(reopened):
        raise CaseworkError(f"it was reopened on {max(reopened).isoformat()}: date this after that")


def preview_event(session: Session, case: Case, kind: str, on: date, policy: ClockPolicy, *,
                  review: Review | None = None) -> Deadline:
    """The deadline the case (or review) would have with this event recorded: what staff see before they save."""
    _check_event(case, kind, on, review)
    _check_after_reopening(session, case, kind, on, review)
    events = [*clock_events(session, case, review), ClockEvent(on, kind, "")]
    if review is not None:
        return compute_deadline("internal_review", review.received, events, policy)
    return compute_deadline(case.regime, case.first_received, events, policy)


def record_event(session: Session, case: Case, kind: str, on: date, policy: ClockPolicy, *, source: str,
                 note: str = "", review: Review | None = None, inbound_id: int | None = None,
                 actor: str | None = None) -> Deadline:
    """Append one event and refresh the derived dates; staff actions that end a case also set its status.
    `actor` names the person (None for the bot)."""
    _check_event(case, kind, on, review)
    _check_after_reopening(session, case, kind, on, review)
    session.add(ClockEventRow(case_id=case.id, review_id=review.id if review else None, kind=kind, occurred_on=on,
                              note=note, source=source, inbound_id=inbound_id, actor=actor))
    session.flush()
    target = review if review is not None else case
    if kind in STATUS_AFTER:
        target.status = STATUS_AFTER[kind]
    if kind == "withdrawn" and review is None:
        case.outcome = "withdrawn"  # the statistics count a withdrawal among the outcomes
    if review is not None:
        return refresh_review(session, review, policy).deadline
    return refresh_case(session, case, policy).deadline
