"""Which stored records the retention schedule reaches, and what holds each: the plan disposal carries out.

The schedule itself is pure (`clock/retention.py`); this gathers what it needs in a few queries per mailbox (never
a query per case) and returns one `Item` per record: due now, due within a horizon (the digest's next 30 days), or
overdue but held (the dry run says why). Only columns are read here, never raw mail.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from mailbot.clock.deadlines import ClockEvent
from mailbot.clock.retention import (
    OPEN_STATUSES,
    CaseFacts,
    RetentionPolicy,
    Verdict,
    add_years,
    case_verdict,
    message_due,
    quarantine_due,
    staff_mail_due,
)
from mailbot.judging.values import Action
from mailbot.store.models import Case, ClockEventRow, Decision, InboundMessage, OutboxMessage, Review, StaffAction

# What each rule removes, and from where: printed by the dry run and written to the disposal log.
REMOVES = {
    "closed_case": "anonymised: name, address, subject, message and reply texts, attachments and notes removed "
                   "(database) and the server copies (Processed, Sent, Quarantine); reference, regime, dates, "
                   "outcome and exemptions kept",
    "sar_case": "anonymised as a closed case (subject access period)",
    "unanswered_mail": "raw message and decision facts removed (database) and the server copies "
                       "(Processed, Quarantine)",
    "quarantine": "raw message removed (database) and the server copies (Quarantine, Processed)",
    "staff_mail": "the text of the bot's mail to staff removed (database) and its copy (Sent)",
    "staff_alert": "the staff alert record deleted (database)",
}


@dataclass(frozen=True)
class Item:
    record: str  # case | message | quarantined | staff_mail
    record_id: int
    label: str  # a case's reference, or "message #12": never a name, an address or a Message-ID
    regime: str | None
    verdict: Verdict

    @property
    def removes(self) -> str:
        return REMOVES[self.verdict.rule]


def _later_open(session: Session, mailbox: str, addresses: list[str] | None = None
                ) -> dict[str, list[tuple[int, str]]]:
    """Per applicant address (all, or those given): their open requests (id, label), for the "later request
    covers it" hold. One case's page asks for one address (an index range), the daily plan for all at once."""
    query = select(Case.address, Case.id, Case.reference).where(
        Case.mailbox == mailbox, Case.status.in_(OPEN_STATUSES), Case.address != "")
    found: dict[str, list[tuple[int, str]]] = defaultdict(list)
    chunks = [None] if addresses is None else [addresses[i:i + 500] for i in range(0, len(addresses), 500)]
    for chunk in chunks:
        for address, case_id, reference in session.execute(
                query if chunk is None else query.where(Case.address.in_(chunk))):
            found[address].append((case_id, reference or f"#{case_id}"))
    return found


class CaseColumns(Protocol):
    """What the schedule reads of a case: a Case, or a row of just these columns (the plan reads tens of thousands,
    and loading each as an ORM object cost most of the daily plan's and the digest's time)."""

    id: int
    mailbox: str
    address: str
    regime: str
    status: str
    hold_reason: str | None
    reference: str | None


def case_facts(session: Session, cases: Sequence[CaseColumns],
               later: dict[str, list[tuple[int, str]]] | None = None) -> dict[int, CaseFacts]:
    """Every case's facts in three queries (events, open reviews, later open requests). `later`, when given, is
    `_later_open` of the one mailbox all the cases are in."""
    ids = [c.id for c in cases]
    events: dict[int, list[ClockEvent]] = defaultdict(list)
    open_reviews: dict[int, int] = defaultdict(int)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for case_id, kind, on in session.execute(select(ClockEventRow.case_id, ClockEventRow.kind,
                                                        ClockEventRow.occurred_on)
                                                 .where(ClockEventRow.case_id.in_(chunk))):
            events[case_id].append(ClockEvent(on, kind))
        for case_id, count in session.execute(select(Review.case_id, func.count()).where(
                Review.case_id.in_(chunk), Review.status == "open").group_by(Review.case_id)):
            open_reviews[case_id] = int(count)
    by_mailbox: dict[str, dict[str, list[tuple[int, str]]]] = {}
    for mailbox in {c.mailbox for c in cases}:
        addresses = sorted({c.address for c in cases if c.mailbox == mailbox and c.address})
        by_mailbox[mailbox] = later if later is not None else _later_open(session, mailbox, addresses)
    facts = {}
    for case in cases:
        covering = [label for other_id, label in by_mailbox[case.mailbox].get(case.address, [])
                    if other_id > case.id] \
            if case.address else []
        facts[case.id] = CaseFacts(case.regime, case.status, tuple(sorted(events[case.id])), open_reviews[case.id],
                                   case.hold_reason, covering[0] if covering else None)
    return facts


def case_standing(session: Session, case: Case, policy: RetentionPolicy, today: date) -> Verdict:
    """One case's place in the schedule: what its page shows (and the hold reasons, wherever the case is)."""
    return case_verdict(case_facts(session, [case])[case.id], policy, today)


def _cases(session: Session, mailbox: str, policy: RetentionPolicy, until: date) -> list[Item]:
    # A case cannot be due before its first message plus the shorter period: older ones only are read.
    oldest = add_years(until, -min(policy.closed_case_years, policy.sar_case_years))
    cases: Sequence[CaseColumns] = session.execute(select(
        Case.id, Case.mailbox, Case.address, Case.regime, Case.status, Case.hold_reason, Case.reference).where(
        Case.mailbox == mailbox, Case.anonymised_at.is_(None), Case.first_received <= oldest,
        Case.status.not_in(OPEN_STATUSES)).order_by(Case.id)).all()  # rows of the columns CaseColumns names
    facts = case_facts(session, cases, _later_open(session, mailbox))
    items = []
    for case in cases:
        verdict = case_verdict(facts[case.id], policy, until)
        if verdict.due is None or verdict.due <= until:
            items.append(Item("case", case.id, case.reference or f"#{case.id}", case.regime, verdict))
    return items


def _messages(session: Session, mailbox: str, policy: RetentionPolicy, until: date) -> list[Item]:
    """Mail that started no case: robot mail, mail that was not a request, mail staff left without a case."""
    cutoff = until - timedelta(days=policy.unanswered_mail_days)
    triaged = exists().where(StaffAction.inbound_id == InboundMessage.id, StaffAction.action == "triage")
    # A message a case's review or clock event points at belongs to that case, whatever its decision says.
    # (NOT IN a set read once: the planners judged a correlated probe of the mostly-NULL column not worth an index.)
    of_a_case = or_(InboundMessage.id.in_(select(Review.inbound_id)),
                    InboundMessage.id.in_(select(ClockEventRow.inbound_id)
                                          .where(ClockEventRow.inbound_id.is_not(None))))
    rows = session.execute(select(InboundMessage.id, InboundMessage.received_date, Decision.action, triaged)
                           .join(Decision, Decision.inbound_id == InboundMessage.id)
                           .where(InboundMessage.mailbox == mailbox, InboundMessage.disposed_at.is_(None),
                                  InboundMessage.status == "processed", Decision.case_id.is_(None),
                                  InboundMessage.received_date <= cutoff, ~of_a_case)
                           .order_by(InboundMessage.id))
    items = []
    for row_id, received, action, decided in rows:
        holds = ("left to staff and not yet decided by anyone",) if action == Action.STAFF_REVIEW and not decided \
            else ()
        items.append(Item("message", row_id, f"message #{row_id}", None,
                          Verdict("unanswered_mail", message_due(received, policy), holds)))
    return items


def _quarantined(session: Session, mailbox: str, policy: RetentionPolicy, until: date) -> list[Item]:
    """A quarantined message goes `quarantine_days` after staff last acted on it; never before they have."""
    dealt = (select(StaffAction.inbound_id, func.max(StaffAction.at).label("at"))
             .where(StaffAction.inbound_id.is_not(None)).group_by(StaffAction.inbound_id).subquery())
    rows = session.execute(select(InboundMessage.id, InboundMessage.received_date, dealt.c.at)
                           .outerjoin(dealt, dealt.c.inbound_id == InboundMessage.id)
                           .where(InboundMessage.mailbox == mailbox, InboundMessage.status == "quarantined",
                                  InboundMessage.disposed_at.is_(None),
                                  InboundMessage.received_date <= until - timedelta(days=policy.quarantine_days))
                           .order_by(InboundMessage.id))
    items = []
    for row_id, _received, at in rows:
        if at is None:
            verdict = Verdict("quarantine", None, ("in quarantine and not yet dealt with by staff",))
        else:
            verdict = Verdict("quarantine", quarantine_due(at.date(), policy))
            if verdict.due is not None and verdict.due > until:
                continue
        items.append(Item("quarantined", row_id, f"message #{row_id}", None, verdict))
    return items


def _staff_mail(session: Session, mailbox: str, policy: RetentionPolicy, until: date) -> list[Item]:
    """The bot's own mail to staff (alerts, notices, digests): no case, no inbound message, already delivered."""
    cutoff = until - timedelta(days=policy.staff_mail_days)
    rows = session.execute(select(OutboxMessage.id, OutboxMessage.created_at).where(
        OutboxMessage.mailbox == mailbox, OutboxMessage.case_id.is_(None), OutboxMessage.inbound_id.is_(None),
        OutboxMessage.disposed_at.is_(None), OutboxMessage.status.in_(("sent", "failed")),
        OutboxMessage.created_at <= _start_of(cutoff + timedelta(days=1))).order_by(OutboxMessage.id))
    return [Item("staff_mail", row_id, f"staff mail #{row_id}", None,
                 Verdict("staff_mail", staff_mail_due(created.date(), policy))) for row_id, created in rows]


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def plan(session: Session, mailbox: str, policy: RetentionPolicy, today: date, *, horizon_days: int = 0
         ) -> list[Item]:
    """Every record due by `today + horizon_days`, held or not, oldest rule first; `disposable(today)` says which
    may go today."""
    until = today + timedelta(days=horizon_days)
    return [*_cases(session, mailbox, policy, until), *_messages(session, mailbox, policy, until),
            *_quarantined(session, mailbox, policy, until), *_staff_mail(session, mailbox, policy, until)]


__all__ = ["REMOVES", "Item", "case_facts", "case_standing", "plan"]
