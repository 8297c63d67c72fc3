"""The questions the runners ask of storage: which case a message belongs to, and the next enquiry number."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from mailbot.casework import awaiting_clarification
from mailbot.decision import CaseRef
from mailbot.references import ReferenceKey, format_reference
from mailbot.store.models import Case, Decision, InboundMessage, OutboxMessage, ReferenceCounter

OPEN_STATUSES = ("held", "open")


def case_ref(case: Case) -> CaseRef:
    session = object_session(case)
    return CaseRef(
        awaiting_clarification=bool(session and case.reference and awaiting_clarification(session, case)),
        case_id=case.id,
        status=case.status,
        regime=case.regime,
        reference=case.reference,
        applicant_name=case.applicant_name,
        missing=tuple(case.missing or ()),
    )


class DbThreadIndex:
    """The judge's ThreadIndex over the database, scoped to one mailbox."""

    def __init__(self, session: Session, mailbox: str) -> None:
        self.session = session
        self.mailbox = mailbox

    def by_message_ids(self, message_ids: Sequence[str]) -> CaseRef | None:
        ids = list(message_ids)
        if not ids:
            return None
        ours = self.session.scalars(
            select(OutboxMessage.case_id).where(
                OutboxMessage.mailbox == self.mailbox, OutboxMessage.message_id.in_(ids),
                OutboxMessage.case_id.is_not(None),
            )
        ).all()
        theirs = self.session.scalars(
            select(Decision.case_id)
            .join(InboundMessage, Decision.inbound_id == InboundMessage.id)
            .where(InboundMessage.mailbox == self.mailbox, InboundMessage.message_id.in_(ids),
                   Decision.case_id.is_not(None))
        ).all()
        case_ids = list(dict.fromkeys([*ours, *theirs]))
        if not case_ids:
            return None
        # The most recent case wins when a chain touches several (a request and, later, its review).
        case = self.session.get(Case, max(case_ids))
        return case_ref(case) if case else None

    def by_reference(self, keys: Sequence[ReferenceKey]) -> CaseRef | None:
        for key in keys:
            query = select(Case).where(Case.mailbox == self.mailbox, Case.reference_seq == key.seq)
            if key.year is not None:
                query = query.where(Case.reference_year == key.year)
            matches = self.session.scalars(query.limit(2)).all()
            if len(matches) == 1:
                return case_ref(matches[0])
        return None

    def replies_today(self, address: str) -> int:
        """Automatic replies queued to this address in the last 24 hours (the per-address daily cap)."""
        since = datetime.now(timezone.utc) - timedelta(days=1)
        return int(self.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.mailbox == self.mailbox, func.lower(OutboxMessage.recipient) == address.lower(),
            OutboxMessage.created_at >= since)) or 0)

    def our_templates(self, message_ids: Sequence[str]) -> tuple[str, ...]:
        """Which of our own templates these Message-IDs were sent with (a reply to a receipt is not answered)."""
        ids = list(message_ids)
        if not ids:
            return ()
        return tuple(self.session.scalars(select(OutboxMessage.template).where(
            OutboxMessage.mailbox == self.mailbox, OutboxMessage.message_id.in_(ids))))

    def by_sender_subject(self, sender: str, subject_stem: str) -> list[CaseRef]:
        cases = self.session.scalars(
            select(Case).where(
                Case.mailbox == self.mailbox,
                func.lower(Case.address) == sender.lower(),
                Case.subject_stem == subject_stem,
                Case.status.in_(OPEN_STATUSES),
            ).limit(5)
        ).all()
        return [case_ref(case) for case in cases]


def allocate_reference(session: Session, mailbox: str, year: int, *, fmt: str, first_next: int,
                       reset_yearly: bool) -> tuple[int, str]:
    """The next enquiry number, taken under a row lock so two processes can never hand out the same one.

    The first counter ever created starts at the configured number (the seed's 13931); with yearly numbering,
    each later year starts at 1.
    """
    key_year = year if reset_yearly else 0
    counter = session.scalars(
        select(ReferenceCounter)
        .where(ReferenceCounter.mailbox == mailbox, ReferenceCounter.year == key_year)
        .with_for_update()
    ).one_or_none()
    if counter is None:
        any_counter = session.scalar(select(func.count()).select_from(ReferenceCounter)
                                     .where(ReferenceCounter.mailbox == mailbox))
        counter = ReferenceCounter(mailbox=mailbox, year=key_year, next_seq=first_next if not any_counter else 1)
        session.add(counter)
        session.flush()
    seq = counter.next_seq
    counter.next_seq = seq + 1
    session.flush()
    return seq, format_reference(seq, year, fmt)


def find_case_by_reference(session: Session, mailbox: str, reference: str) -> Case | None:
    return session.scalars(select(Case).where(Case.mailbox == mailbox, Case.reference == reference)).one_or_none()


def cases_for_listing(session: Session, mailbox: str | None = None) -> list[Case]:
    query = select(Case).order_by(Case.id)
    if mailbox:
        query = query.where(Case.mailbox == mailbox)
    return list(session.scalars(query))


__all__ = ["DbThreadIndex", "allocate_reference", "case_ref", "cases_for_listing", "find_case_by_reference"]
