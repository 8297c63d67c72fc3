"""The retention schedule: when a record may be disposed of, and what holds it, from its dates and events alone.

Pure, like the deadlines: the store gathers a case's facts and asks. The periods are settings (`[retention]`,
docs/operations.md gives each default and its ground); the holds are the law's and cannot be switched off: FOIA s77
makes it an offence to destroy information to prevent its disclosure, so nothing under an open request, internal
review, ICO complaint or tribunal appeal goes, nor anything within the window in which an appeal may still be made.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from mailbot.clock.deadlines import ClockEvent, in_force
from mailbot.clock.regimes import Regime

# Events after which a matter is closed (until a later event opens a further stage): retention runs from the last.
CLOSING = ("answered", "closed", "withdrawn", "ico_decision", "appeal_closed")
OPEN_STATUSES = ("open", "held")


@dataclass(frozen=True)
class RetentionPolicy:
    """The periods, each a setting; the defaults are explained in docs/operations.md ("Retention and disposal")."""

    closed_case_years: int = 3  # FOI, EIR and internal-review cases, from closure: anonymised
    sar_case_years: int = 6  # subject access cases, from closure
    unanswered_mail_days: int = 90  # robot mail and mail that was not a request, from receipt
    quarantine_days: int = 90  # a quarantined message, from the day staff dealt with it
    staff_mail_days: int = 90  # the bot's mail to staff (alerts, digests), from when it was written
    appeal_window_days: int = 42  # after an ICO decision or a tribunal's: 28 days to appeal, six weeks kept
    later_request_holds: bool = True  # a later open request from the same applicant keeps earlier cases


@dataclass(frozen=True)
class CaseFacts:
    """What the schedule needs to know of one case (the store fills it in one pass)."""

    regime: str
    status: str
    events: tuple[ClockEvent, ...]  # the case's own and its reviews' events
    open_reviews: int = 0
    legal_hold: str | None = None  # the reason an admin gave
    later_open_request: str | None = None  # the reference of a later open request from the same applicant


@dataclass(frozen=True)
class Verdict:
    """When a record may go (None: not while it stays as it is) and every reason it may not go yet."""

    rule: str
    due: date | None
    holds: tuple[str, ...] = ()
    closed_on: date | None = None

    def disposable(self, today: date) -> bool:
        return not self.holds and self.due is not None and self.due <= today


def add_years(day: date, years: int) -> date:
    """The same date `years` later; 28 February for 29 February in a common year (as add_months gives it, without
    relativedelta's cost: the daily plan asks this tens of thousands of times)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, into a common year
        return day.replace(year=day.year + years, day=28)


def _latest(events: Iterable[ClockEvent], kind: str) -> date | None:
    days = [e.on for e in events if e.kind == kind]
    return max(days) if days else None


def _appeal_holds(events: tuple[ClockEvent, ...], policy: RetentionPolicy, today: date) -> list[str]:
    holds: list[str] = []
    complaint, decision = _latest(events, "ico_complaint"), _latest(events, "ico_decision")
    if complaint is not None and (decision is None or decision < complaint):
        holds.append(f"an ICO complaint is open (since {complaint.isoformat()})")
    appeal, appeal_closed = _latest(events, "tribunal_appeal"), _latest(events, "appeal_closed")
    if appeal is not None and (appeal_closed is None or appeal_closed < appeal):
        holds.append(f"a tribunal appeal is open (since {appeal.isoformat()})")
    window = timedelta(days=policy.appeal_window_days)
    for kind, what in (("ico_decision", "the ICO's decision notice"), ("appeal_closed", "the appeal's decision")):
        day = _latest(events, kind)
        later_stage = appeal is not None and day is not None and appeal >= day
        if day is not None and not later_stage and today <= day + window:
            holds.append(f"{what} of {day.isoformat()} may still be appealed (until {(day + window).isoformat()})")
    return holds


def case_verdict(facts: CaseFacts, policy: RetentionPolicy, today: date) -> Verdict:
    """A case is anonymised `closed_case_years` (or `sar_case_years`) after its matter last closed, unless held."""
    rule = "sar_case" if facts.regime == Regime.SAR else "closed_case"
    years = policy.sar_case_years if facts.regime == Regime.SAR else policy.closed_case_years
    holds: list[str] = []
    if facts.legal_hold:
        holds.append(f"legal hold: {facts.legal_hold}")
    if facts.status in OPEN_STATUSES:
        holds.append("the request is still open" if facts.status == "open" else "the request is held (incomplete)")
    if facts.open_reviews:
        holds.append("an internal review of it is open")
    holds += _appeal_holds(facts.events, policy, today)
    if facts.later_open_request and policy.later_request_holds:
        holds.append(f"a later open request from the same applicant ({facts.later_open_request}) may cover it")
    closing = [e.on for e in in_force(sorted(facts.events)) if e.kind in CLOSING]  # not a stop undone by reopening
    closed_on = max(closing) if closing else None
    if closed_on is None and facts.status not in OPEN_STATUSES:
        holds.append("no closing date is recorded")
    due = add_years(closed_on, years) if closed_on is not None else None
    return Verdict(rule, due, tuple(holds), closed_on)


def message_due(received: date, policy: RetentionPolicy) -> date:
    """Mail that started no case (robot mail, mail that was not a request): kept `unanswered_mail_days`."""
    return received + timedelta(days=policy.unanswered_mail_days)


def quarantine_due(dealt_with: date, policy: RetentionPolicy) -> date:
    return dealt_with + timedelta(days=policy.quarantine_days)


def staff_mail_due(written: date, policy: RetentionPolicy) -> date:
    return written + timedelta(days=policy.staff_mail_days)


__all__ = ["CLOSING", "CaseFacts", "RetentionPolicy", "Verdict", "add_years", "case_verdict", "message_due",
           "quarantine_due", "staff_mail_due"]
