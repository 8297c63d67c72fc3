"""Requests with a history, written as casework writes them: a case, its first message and decision, a reply, and
clock events recorded through `store.casework.record_event` (so due dates, statuses and outcomes are derived as in
production). For the retention and statistics tests, which need years of history in a few lines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from itertools import count

from sqlalchemy.orm import Session

from mailbot.clock.deadlines import ClockPolicy
from mailbot.store.casework import record_event, refresh_case
from mailbot.store.models import Case, Decision, InboundMessage, OutboxMessage, Review, StaffAction
from mailbot.testing.messages import MAILBOX, request

_numbers = count(1)


def at_nine(day: date) -> datetime:
    return datetime.combine(day, time(9, 30), UTC)


def message(session: Session, day: date, *, case_id: int | None = None, action: str = "acknowledge",
            kind: str = "request", sender: str = "person@example.org", status: str = "processed",
            raw: bytes | None = None) -> InboundMessage:
    """One stored, decided message (robot mail: `case_id=None, action="none", kind="robot"`)."""
    n = next(_numbers)
    body = raw or request(n, sender=sender)
    row = InboundMessage(mailbox=MAILBOX, message_id=f"<casebook-{n}@example.org>", folder="INBOX", uidvalidity=1,
                         uid=n, moved=True, received_at=at_nine(day), received_date=day, raw=body, size=len(body),
                         status=status, processed_at=at_nine(day))
    session.add(row)
    session.flush()
    session.add(Decision(inbound_id=row.id, case_id=case_id, kind=kind, action=action, regime=None,
                         reasons=["casebook"], facts={"address": sender, "applicant_name": "Jo Bloggs"}))
    return row


def triaged(session: Session, inbound_id: int, day: date) -> None:
    """Staff decided about a message on `day` (the audit trail's row, dated then)."""
    session.add(StaffAction(actor="staff", via="web", action="triage", inbound_id=inbound_id, at=at_nine(day),
                            detail={"verdict": "not_a_request"}))


def case(session: Session, policy: ClockPolicy, received: date, events: Sequence[tuple[str, date]] = (), *,
         regime: str = "foi", address: str = "person@example.org", outcome: str | None = None,
         exemptions: Sequence[str] = (), review: tuple[date, Sequence[tuple[str, date]], str | None] | None = None,
         hold: str | None = None) -> Case:
    """An enquiry received on `received` with its events; `review` = (received, its events, its outcome)."""
    n = next(_numbers)
    row = Case(mailbox=MAILBOX, reference=f"{n}/{received.year}", reference_seq=n, reference_year=received.year,
               status="open", regime=regime, applicant_name="Jo Bloggs", address=address, subject=f"Budget {n}",
               subject_stem=f"budget {n}", first_received=received, missing=[], hold_reason=hold)
    session.add(row)
    session.flush()
    refresh_case(session, row, policy)
    first = message(session, received, case_id=row.id, sender=address)
    session.add(OutboxMessage(mailbox=MAILBOX, inbound_id=first.id, case_id=row.id, template="acknowledgement_foi",
                              message_id=f"<ack-{n}@council.example>", in_reply_to=first.message_id,
                              recipient=address, raw=b"Thank you",
                              status="sent", in_sent=True, created_at=at_nine(received), sent_at=at_nine(received)))
    for kind, day in events:
        record_event(session, row, kind, day, policy, source="staff")
    if outcome is not None:
        row.outcome, row.exemptions = outcome, list(exemptions)
    if review is not None:
        review_received, review_events, review_outcome = review
        asked = message(session, review_received, case_id=row.id, sender=address, kind="review")
        stored = Review(case_id=row.id, inbound_id=asked.id, received=review_received, due=review_received,
                        due_why="", calendar="")
        session.add(stored)
        session.flush()
        for kind, day in review_events:
            record_event(session, row, kind, day, policy, source="staff", review=stored)
        stored.outcome = review_outcome
    session.flush()
    return row


__all__ = ["at_nine", "case", "message", "triaged"]
