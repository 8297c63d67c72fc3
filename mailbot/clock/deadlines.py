"""The statutory clock: a due date derived from the date of receipt and the events recorded since, with its reason.

Nothing here is stored state. A request's due date is always *computed* from its receipt date and its clock events
(completed, clarification asked/received, fees notice/fee received, extension, withdrawn, answered, closed), so
it can be recomputed and explained at any time — and recording the same events in another order gives the same
date. The rules and their sources are in docs/foi-rules.md:

* FOI, EIR, internal review: the Nth working day after the day the request became complete (FOIA s10(1), s1(3),
  EIR reg 5(2), reg 9(4)); while a clarification is outstanding there is no clock; working days from a fees notice
  to the day the fee arrives, both included, do not count (s10(2)); an unpaid fee lapses after three months.
* Subject access: one calendar month from receipt by the ICO method (same date next month, else the month's last
  day, moved to the next working day), extended to three months from the same start; clarification pauses the
  month and the paused days are added back (UK GDPR Art 12(3), Art 12A).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from mailbot.clock.regimes import REGIMES, Regime
from mailbot.clock.workdays import WorkingCalendar, add_months

EVENT_KINDS = (
    "completed",  # the message that makes the request valid arrived (name, description or ID supplied)
    "clarification_asked",  # s1(3) / reg 9 / Art 12A: we asked what the requester means
    "clarification_received",  # their answer arrived: the clock (re)starts (FOI/EIR) or resumes (SAR)
    "fees_notice",  # s9 fees notice given: the clock stops on this working day
    "fee_received",  # the fee arrived: the clock restarts the next working day
    "extended",  # public-interest (s10(3)), EIR complex-and-voluminous, review or SAR extension
    "withdrawn",
    "answered",
    "closed",
    # After the answer: they move no due date, but keep the case's records from disposal while open (FOIA s77)
    "ico_complaint",  # the requester complained to the ICO (s50)
    "ico_decision",  # the ICO's decision notice: the appeal window to the First-tier Tribunal runs from it
    "tribunal_appeal",  # an appeal to the First-tier Tribunal (s57) or a further stage
    "appeal_closed",  # the tribunal (or a later stage) decided: a further appeal window runs from it
    "reopened",  # staff reopened a stopped case (ended in error, withdrawal retracted): the stops before it no
    # longer count, and the due date is what the statute gave it (the date of receipt does not move)
)
STOPPING = ("withdrawn", "answered", "closed")


def in_force(events: list[ClockEvent]) -> list[ClockEvent]:
    """The events that still count: a stop on or before the latest reopening is undone by it (sorted events)."""
    reopened = [e.on for e in events if e.kind == "reopened"]
    if not reopened:
        return events
    last = max(reopened)
    return [e for e in events if not (e.kind in STOPPING and e.on <= last)]


@dataclass(frozen=True, order=True)
class ClockEvent:
    on: date
    kind: str
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"unknown clock event {self.kind!r}; expected one of {', '.join(EVENT_KINDS)}")


@dataclass(frozen=True)
class ClockPolicy:
    """The settings that choose between lawful readings; defaults follow the ICO."""

    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    sar_calendar: WorkingCalendar = field(default_factory=lambda: WorkingCalendar(nations=("ENG", "WLS")))
    working_days: int = 20  # FOI, EIR and internal review
    foi_extension_working_days: int = 20  # s10(3) public interest: the ICO expects no more than 20 further
    eir_extension_working_days: int = 20  # reg 7: up to 40 in all
    review_extension_working_days: int = 20  # ICO: 40 in exceptional cases
    sar_extended_months: int = 3  # Art 12(3): two further months, three in all
    fee_lapse_months: int = 3  # s9(2)
    long_overdue_working_days: int = 20
    # Where a due date stands on a given day, by (due, today, SAR calendar?): a listing of 50,000 cases has a few
    # thousand distinct due dates, so counting working days once per date, not per case, halves its time.
    _due_states: dict[tuple[date, date, bool], StaffState] = field(default_factory=dict, init=False, repr=False,
                                                                    compare=False, hash=False)


@dataclass(frozen=True)
class Deadline:
    regime: str
    received: date  # the date of receipt of the first message
    start: date | None  # the day the clock runs from (day 0); None while it has not started
    due: date | None  # None while the clock is stopped with no due date (clarification, unpaid fee)
    state: str  # running | awaiting_clarification | awaiting_fee | lapsed | withdrawn | answered | closed
    why: str
    calendar: str
    answered_on: date | None = None


def _long(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _list_days(days: list[tuple[date, str]]) -> str:
    return ", ".join(f"{_long(d)} ({name})" for d, name in days)


def _latest(events: list[ClockEvent], kind: str) -> ClockEvent | None:
    matching = [e for e in events if e.kind == kind]
    return max(matching) if matching else None


def _extension(regime: str, policy: ClockPolicy) -> int:
    days: dict[str, int] = {Regime.FOI: policy.foi_extension_working_days,
                            Regime.EIR: policy.eir_extension_working_days,
                            Regime.INTERNAL_REVIEW: policy.review_extension_working_days}
    return days.get(regime, 0)


def compute_deadline(regime: str, received: date, events: Iterable[ClockEvent] = (),
                     policy: ClockPolicy | None = None, *, today: date | None = None) -> Deadline:
    """The due date, its state and its reason, from receipt and events alone (their order does not matter)."""
    if regime not in REGIMES:
        raise ValueError(f"unknown regime {regime!r}; expected one of {', '.join(REGIMES)}")
    policy = policy or ClockPolicy()
    ordered = in_force(sorted(events))
    stopped = next((e for e in ordered if e.kind in STOPPING), None)
    if regime == Regime.SAR:
        deadline = _sar(received, ordered, policy)
    else:
        deadline = _working_days(regime, received, ordered, policy, today)
    if stopped is not None:
        answered = _latest(ordered, "answered")
        state = "answered" if answered else stopped.kind
        return Deadline(deadline.regime, received, deadline.start, deadline.due, state,
                        f"{deadline.why}; {state} on {_long((answered or stopped).on)}", deadline.calendar,
                        answered.on if answered else None)
    return deadline


def _start(received: date, events: list[ClockEvent]) -> tuple[date, str]:
    """The day the clock runs from: receipt, or the later message that completed or clarified the request."""
    restarts = [e for e in events if e.kind in ("completed", "clarification_received") and e.on >= received]
    if not restarts:
        return received, f"after {_long(received)}"
    last = max(restarts)
    what = "the request was completed" if last.kind == "completed" else "the clarification arrived"
    return last.on, f"after {_long(last.on)}, when {what} (first received {_long(received)})"


def _working_days(regime: str, received: date, events: list[ClockEvent], policy: ClockPolicy,
                  today: date | None) -> Deadline:
    cal = policy.calendar
    start, start_why = _start(received, events)
    asked = _latest(events, "clarification_asked")
    answered = _latest(events, "clarification_received")
    if asked and asked.on >= start and not (answered and answered.on >= asked.on):
        return Deadline(regime, received, None, None, "awaiting_clarification",
                        f"no clock: clarification asked on {_long(asked.on)} and not yet received",
                        cal.identity)
    excluded, fee_why, pending = _fee_windows(events, start, cal)
    if pending is not None:
        lapses = add_months(pending.on, policy.fee_lapse_months)
        state = "lapsed" if today and today > lapses else "awaiting_fee"
        return Deadline(regime, received, start, None, state,
                        f"stopped: fees notice given on {_long(pending.on)}; "
                        + (f"lapsed unpaid after {_long(lapses)}" if state == "lapsed" else
                           f"the request lapses if unpaid by {_long(lapses)}"), cal.identity)
    total = policy.working_days
    extensions = [e for e in events if e.kind == "extended"]
    extension_days = _extension(regime, policy) * len(extensions)
    total += extension_days
    due, counted = start, 0
    while counted < total:
        due += timedelta(days=1)
        if cal.is_working_day(due) and due not in excluded:
            counted += 1
    why = f"{total} working days {start_why}"
    if extension_days:
        why += f" (extended by {extension_days} on {', '.join(_long(e.on) for e in extensions)})"
    skipped = cal.skipped_holidays(start, due)
    if skipped:
        why += f", not counting {_list_days(skipped)}"
    if fee_why:
        why += f"; {fee_why}"
    return Deadline(regime, received, start, due, "running", why, cal.identity)


def _fee_windows(events: list[ClockEvent], start: date,
                 cal: WorkingCalendar) -> tuple[set[date], str, ClockEvent | None]:
    """Working days from each fees notice to its fee, both included (s10(2)), and any notice still unpaid."""
    notices = sorted(e for e in events if e.kind == "fees_notice" and e.on >= start)
    fees = sorted(e for e in events if e.kind == "fee_received")
    excluded: set[date] = set()
    reasons: list[str] = []
    for notice in notices:
        paid = next((f for f in fees if f.on >= notice.on), None)
        if paid is None:
            return excluded, "", notice
        fees.remove(paid)
        day, count = notice.on, 0
        while day <= paid.on:
            if cal.is_working_day(day):
                excluded.add(day)
                count += 1
            day += timedelta(days=1)
        reasons.append(f"{count} working days from the fees notice on {_long(notice.on)} to the fee on "
                       f"{_long(paid.on)} do not count")
    return excluded, "; ".join(reasons), None


def _sar(received: date, events: list[ClockEvent], policy: ClockPolicy) -> Deadline:
    cal = policy.sar_calendar
    start, start_why = _start_sar(received, events)
    months = policy.sar_extended_months if any(e.kind == "extended" for e in events) else 1
    nominal = add_months(start, months)
    paused, pause_why, pending = _pauses(events, start)
    if pending is not None:
        return Deadline(Regime.SAR, received, start, None, "awaiting_clarification",
                        f"paused: clarification asked on {_long(pending.on)} and not yet received", cal.identity)
    shifted = nominal + timedelta(days=paused)
    due = cal.next_working_day(shifted)
    why = f"{months} calendar month{'s' if months > 1 else ''} from {start_why}"
    if paused:
        why += f", plus {paused} days paused ({pause_why})"
    if due != shifted:
        why += f"; {_long(shifted)} is not a working day, so the next working day"
    return Deadline(Regime.SAR, received, start, due, "running", why, cal.identity)


def _start_sar(received: date, events: list[ClockEvent]) -> tuple[date, str]:
    completed = [e for e in events if e.kind == "completed" and e.on >= received]
    if not completed:
        return received, _long(received)
    last = max(completed)
    return last.on, f"{_long(last.on)}, when what was needed (e.g. proof of identity) arrived"


def _pauses(events: list[ClockEvent], start: date) -> tuple[int, str, ClockEvent | None]:
    """Calendar days between each clarification question and its answer (Art 12A), and any open question."""
    asks = sorted(e for e in events if e.kind == "clarification_asked" and e.on >= start)
    answers = sorted(e for e in events if e.kind == "clarification_received")
    total, notes = 0, []
    for ask in asks:
        answer = next((a for a in answers if a.on >= ask.on), None)
        if answer is None:
            return total, "", ask
        answers.remove(answer)
        total += (answer.on - ask.on).days
        notes.append(f"{_long(ask.on)} to {_long(answer.on)}")
    return total, "; ".join(notes), None


@dataclass(frozen=True)
class StaffState:
    label: str  # due_in | due_today | overdue | long_overdue | on_hold | done
    text: str
    working_days: int | None = None  # until due (due_in) or past due (overdue, long_overdue)


def working_days_between(start: date, end: date, cal: WorkingCalendar) -> int:
    """Working days after start up to and including end (counted arithmetically: see WorkingCalendar)."""
    return cal.working_days_between(start, end)


def staff_state(deadline: Deadline, today: date, policy: ClockPolicy | None = None) -> StaffState:
    """What the digest and `requests list` say: due in N working days, due today, overdue, long overdue."""
    policy = policy or ClockPolicy()
    if deadline.state in STOPPING:
        return StaffState("done", deadline.state)
    if deadline.due is None:
        return StaffState("on_hold", deadline.state.replace("_", " "))
    return due_state(deadline.due, deadline.regime, today, policy)


def due_state(due: date, regime: str, today: date, policy: ClockPolicy) -> StaffState:
    """Where a running clock stands against its due date, in working days of the regime's calendar (the web's
    list reads it from the stored due date, the digest from a computed deadline)."""
    key = (due, today, regime == Regime.SAR)
    state = policy._due_states.get(key)
    if state is None:
        if len(policy._due_states) >= _DUE_STATES_KEPT:
            policy._due_states.clear()  # a long-running bot asks about new days for ever: keep the cache bounded
        state = policy._due_states[key] = _due_state(due, key[2], today, policy)
    return state


_DUE_STATES_KEPT = 20_000


def _due_state(due: date, sar: bool, today: date, policy: ClockPolicy) -> StaffState:
    cal = policy.sar_calendar if sar else policy.calendar
    if today < due:
        n = working_days_between(today, due, cal)
        return StaffState("due_in", f"due in {n} working day{'s' if n != 1 else ''}", n)
    if today == due:
        return StaffState("due_today", "due today", 0)
    late = working_days_between(due, today, cal)
    if late >= policy.long_overdue_working_days:
        return StaffState("long_overdue", f"long overdue ({late} working days late)", late)
    return StaffState("overdue", f"overdue ({late} working day{'s' if late != 1 else ''} late)", late)
