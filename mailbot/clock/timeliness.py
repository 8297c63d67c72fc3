"""Whether a request was answered in time, as the Cabinet Office's FOI statistics count it, from its events alone.

"Within 20 working days" is against the due date the request had without any extension (clarification restarts
and fees-notice pauses included: those move the statutory date itself); "within a permitted extension" is after
that but by the extended date (FOIA s10(3) public interest test, EIR reg 7); anything later is late. "In time" is
the first two. A request still open is "open", or "open_late" once past its due date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from mailbot.clock.deadlines import STOPPING, ClockEvent, ClockPolicy, compute_deadline
from mailbot.clock.regimes import Regime

CLASSES = ("within_20", "within_extension", "late", "open", "open_late", "withdrawn", "closed")
EXTENSION_BASIS = {Regime.FOI: "s10(3) public interest test", Regime.EIR: "reg 7 complex and voluminous",
                   Regime.SAR: "Art 12(3) complex or numerous", Regime.INTERNAL_REVIEW: "exceptional review"}


@dataclass(frozen=True)
class Timeliness:
    start: date | None  # the day the clock ran from
    due_initial: date | None  # without any extension
    due_final: date | None  # with the extensions recorded
    answered: date | None
    working_days: int | None  # from the clock's start to the answer
    extended: bool
    extension_working_days: int | None  # how far past the initial date the extension took the answer
    clarification_asked: int
    fees_notices: int
    state: str  # one of CLASSES

    @property
    def in_time(self) -> bool:
        return self.state in ("within_20", "within_extension")


def timeliness(regime: str, received: date, events: Iterable[ClockEvent], policy: ClockPolicy,
               today: date) -> Timeliness:
    own = sorted(events)
    final = compute_deadline(regime, received, own, policy, today=today)
    extended = any(e.kind == "extended" for e in own)
    initial = final if not extended else compute_deadline(
        regime, received, [e for e in own if e.kind not in STOPPING and e.kind != "extended"], policy, today=today)
    answers = [e.on for e in own if e.kind == "answered"]
    answered = min(answers) if answers else None
    cal = policy.sar_calendar if regime == Regime.SAR else policy.calendar
    start = final.start
    taken = cal.working_days_between(start, answered) if answered and start and answered >= start else None
    beyond = None
    if answered is not None:
        due = initial.due
        if due is None or answered <= due:
            state = "within_20"
        elif extended and final.due is not None and answered <= final.due:
            state = "within_extension"
        else:
            state = "late"
        if extended and due is not None and answered > due:
            beyond = cal.working_days_between(due, answered)
    elif any(e.kind == "withdrawn" for e in own):
        state = "withdrawn"
    elif any(e.kind == "closed" for e in own):
        state = "closed"
    else:
        state = "open_late" if final.due is not None and today > final.due else "open"
    return Timeliness(start, initial.due, final.due, answered, taken, extended, beyond,
                      sum(1 for e in own if e.kind == "clarification_asked"),
                      sum(1 for e in own if e.kind == "fees_notice"), state)


__all__ = ["CLASSES", "EXTENSION_BASIS", "Timeliness", "timeliness"]
