"""Where many cases stand on their clocks, in a few statements: the stored dates, plus the events only where the
stored dates cannot say it.

A case's `received`, `due`, `due_why` and `calendar` are kept derived by casework.py after every event, so a running
clock needs no event at all. Two bulk reads cover the rest: the stopping events of the cases in scope (whether a
case was answered, closed or withdrawn, as `compute_deadline` words it) and every event of the cases with no due
date (a clock stopped for clarification or a fee) or whose dates another calendar produced (a bank holiday
proclaimed since `requests recompute` last ran), whose deadline is computed from them as before. `requests list`,
the digest and the web app read this instead of one clock-events query per case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from mailbot.clock.deadlines import (
    STOPPING,
    ClockEvent,
    ClockPolicy,
    Deadline,
    StaffState,
    compute_deadline,
    due_state,
    in_force,
    staff_state,
)
from mailbot.clock.regimes import Regime
from mailbot.store.models import Case, ClockEventRow

_EVENTS = ClockEventRow.__table__.c  # Core columns: plain rows, without the ORM's per-row loading
_SAR = str(Regime.SAR)  # a plain str: comparing 50,000 regimes with the enum member cost more than the rest


@dataclass(frozen=True)
class Standings:
    """The clock facts of every case in one scope, read in two statements."""

    stopped: dict[int, str]  # case id -> answered | closed | withdrawn (the Deadline's state)
    events: dict[int, list[ClockEvent]]  # every event of the scope's cases with no due date or a stale one
    calendars: tuple[str, str]  # the identities of today's calendars: (FOI, EIR and reviews; SAR)

    def stale(self, case: Any) -> bool:
        """No stored due date to go by, or one another calendar produced."""
        return case.due is None or case.calendar != self.calendars[case.regime == _SAR]

    def deadline(self, case: Any, policy: ClockPolicy, today: date | None = None) -> Deadline | None:
        """What `casework.case_deadline` says for `case` (a Case or a row with its columns), or None while held."""
        if case.reference is None:
            return None
        if self.stale(case):
            return compute_deadline(case.regime, case.first_received, self.events.get(case.id, ()), policy,
                                    today=today)
        state = self.stopped.get(case.id, "running")
        return Deadline(case.regime, case.first_received, case.received, case.due, state, case.due_why or "",
                        case.calendar or "")

    def standing(self, case: Any, policy: ClockPolicy, today: date) -> tuple[date | None, date | None, StaffState]:
        """The clock's start, its due date and where it stands today, as `staff_state(deadline(...))` gives them,
        without building a Deadline for each of 50,000 rows (a listing needs only these three)."""
        if not self.stale(case):
            stopped = self.stopped.get(case.id)
            state = _DONE[stopped] if stopped else due_state(case.due, case.regime, today, policy)
            return case.received, case.due, state
        deadline = self.deadline(case, policy, today)
        assert deadline is not None  # held cases (no reference) are the caller's to word
        return deadline.start, deadline.due, staff_state(deadline, today, policy)


_DONE = {kind: StaffState("done", kind) for kind in STOPPING}


def read_standings(session: Session, scope: Iterable[ColumnElement[bool]], policy: ClockPolicy) -> Standings:
    """`scope`: conditions on Case choosing the cases (e.g. one mailbox, its open cases)."""
    where = list(scope)
    calendars = (policy.calendar.identity, policy.sar_calendar.identity)
    stale = or_(Case.due.is_(None), Case.calendar.is_(None),
                and_(Case.regime == Regime.SAR, Case.calendar != calendars[1]),
                and_(Case.regime != Regime.SAR, Case.calendar != calendars[0]))
    by_case: dict[int, list[ClockEvent]] = {}
    for case_id, on, kind, note in session.execute(
            select(_EVENTS.case_id, _EVENTS.occurred_on, _EVENTS.kind, _EVENTS.note)
            .join(Case.__table__, Case.id == _EVENTS.case_id)
            .where(*where, _EVENTS.review_id.is_(None), _EVENTS.kind.in_((*STOPPING, "reopened")))):
        by_case.setdefault(case_id, []).append(ClockEvent(on, kind, note))
    stopped: dict[int, str] = {}
    for case_id, found in by_case.items():  # as compute_deadline words it: the first stop in force, or answered
        stops = [e for e in in_force(sorted(found)) if e.kind in STOPPING]
        if stops:
            stopped[case_id] = "answered" if any(e.kind == "answered" for e in stops) else stops[0].kind
    events: dict[int, list[ClockEvent]] = {}
    for case_id, on, kind, note in session.execute(
            select(_EVENTS.case_id, _EVENTS.occurred_on, _EVENTS.kind, _EVENTS.note)
            .join(Case.__table__, Case.id == _EVENTS.case_id)
            .where(*where, _EVENTS.review_id.is_(None), Case.reference.is_not(None), stale)
            .order_by(_EVENTS.id)):
        events.setdefault(case_id, []).append(ClockEvent(on, kind, note))
    return Standings(stopped, events, calendars)


__all__ = ["Standings", "read_standings"]
