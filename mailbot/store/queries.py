"""The questions the runners ask of storage: which case a message belongs to, and the next enquiry number."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session, object_session

from mailbot.judging.decision import CaseRef
from mailbot.judging.readers.references import ReferenceKey, format_reference
from mailbot.judging.values import CaseStatus, Regime
from mailbot.mail.mailbox_key import mailbox_key
from mailbot.store.casework import awaiting_clarification
from mailbot.store.models import Case, Decision, InboundMessage, OutboxMessage, ReferenceCounter

OPEN_STATUSES = ("held", "open")


def case_ref(case: Case) -> CaseRef:
    session = object_session(case)
    return CaseRef(
        awaiting_clarification=bool(session and case.reference and awaiting_clarification(session, case)),
        case_id=case.id,
        status=CaseStatus(case.status),
        regime=Regime(case.regime),
        reference=case.reference,
        applicant_name=case.applicant_name,
        missing=tuple(case.missing or ()),
    )


# The judge asks these for every inbound message. Built once with bound parameters: constructing a statement and
# its cache key on every call cost more than running it (docs/operations.md). Counts and the counter are Core
# statements (no ORM objects involved); the case lookups stay ORM selects, because case_ref() reads the loaded Case.
_OUTBOX = OutboxMessage.__table__
_COUNTERS = ReferenceCounter.__table__
_REPLIES_SINCE = select(func.count()).select_from(_OUTBOX).where(
    _OUTBOX.c.mailbox == bindparam("mailbox", type_=_OUTBOX.c.mailbox.type),
    _OUTBOX.c.recipient_key == bindparam("address", type_=_OUTBOX.c.recipient_key.type),
    _OUTBOX.c.created_at >= bindparam("since", type_=_OUTBOX.c.created_at.type),
)
# Automatic replies only (they answer an inbound message); staff mail and the digest are not capped. The hour is
# the hour before this message reached the mailbox (its INTERNALDATE, which the server sets and a sender cannot), so
# a forged flood, which arrives all at once, is capped, while a backlog after an outage, whose mail arrived over the
# hours the bot was away, is answered as it would have been. Counted only up to the cap: asked for every message of
# a large backlog, a full count would read the whole hour's replies each time.
_INBOUND = InboundMessage.__table__
_MAILBOX_REPLIES_RECEIVED_SINCE = select(func.count()).select_from(
    select(_OUTBOX.c.id).join(_INBOUND, _INBOUND.c.id == _OUTBOX.c.inbound_id).where(
        _OUTBOX.c.mailbox == bindparam("mailbox", type_=_OUTBOX.c.mailbox.type),
        _INBOUND.c.received_at > bindparam("since", type_=_INBOUND.c.received_at.type),
        _INBOUND.c.received_at <= bindparam("until", type_=_INBOUND.c.received_at.type),
    ).limit(bindparam("up_to")).subquery()
)
_OUR_TEMPLATES = select(_OUTBOX.c.template).where(
    _OUTBOX.c.mailbox == bindparam("mailbox"), _OUTBOX.c.message_id.in_(bindparam("ids", expanding=True)))
_CASES_OF_OUR_MESSAGES = select(_OUTBOX.c.case_id).where(
    _OUTBOX.c.mailbox == bindparam("mailbox"), _OUTBOX.c.message_id.in_(bindparam("ids", expanding=True)),
    _OUTBOX.c.case_id.is_not(None),
)
_CASES_OF_THEIR_MESSAGES = (
    select(Decision.__table__.c.case_id)
    .join(InboundMessage.__table__, Decision.__table__.c.inbound_id == InboundMessage.__table__.c.id)
    .where(InboundMessage.__table__.c.mailbox == bindparam("mailbox"),
           InboundMessage.__table__.c.message_id.in_(bindparam("ids", expanding=True)),
           Decision.__table__.c.case_id.is_not(None))
)
_CASE_BY_SEQ = select(Case).where(Case.mailbox == bindparam("mailbox"), Case.reference_seq == bindparam("seq")).limit(2)
_CASE_BY_SEQ_YEAR = _CASE_BY_SEQ.where(Case.reference_year == bindparam("year"))
_CASES = Case.__table__
# Ids only: most messages match no case, and loading none through the ORM still cost twice the query itself.
_OPEN_CASE_IDS_BY_SENDER_SUBJECT = select(_CASES.c.id).where(
    _CASES.c.mailbox == bindparam("mailbox"),
    # cases.address is stored lower-cased (actions.py), so a plain comparison finds every match and, unlike
    # lower(address), can use the (mailbox, address, subject_stem) index instead of reading every case.
    _CASES.c.address == bindparam("address"),
    _CASES.c.subject_stem == bindparam("stem"),
    or_(*(_CASES.c.status == status for status in OPEN_STATUSES)),  # not IN (...): that is re-rendered per call
).limit(5)
# One statement takes the row lock and reads the number: a second process waits for our commit, then advances
# from our value. (bindparam names must differ from the column names in an UPDATE.)
_ADVANCE_COUNTER = (
    update(_COUNTERS)
    .where(_COUNTERS.c.mailbox == bindparam("counter_mailbox"), _COUNTERS.c.year == bindparam("counter_year"))
    .values(next_seq=_COUNTERS.c.next_seq + 1)
    .returning(_COUNTERS.c.next_seq)
)
_COUNTERS_OF_MAILBOX = select(func.count()).select_from(_COUNTERS).where(_COUNTERS.c.mailbox == bindparam("mailbox"))


class DbThreadIndex:
    """The judge's ThreadIndex over the database, scoped to one mailbox."""

    def __init__(self, session: Session, mailbox: str, received_at: datetime | None = None) -> None:
        """`received_at`: when the message being judged reached the mailbox (the hourly cap's hour ends then)."""
        self.session = session
        self.mailbox = mailbox
        self.received_at = received_at

    def by_message_ids(self, message_ids: Sequence[str]) -> CaseRef | None:
        ids = list(message_ids)
        if not ids:
            return None
        params = {"mailbox": self.mailbox, "ids": ids}
        ours = self.session.scalars(_CASES_OF_OUR_MESSAGES, params).all()
        theirs = self.session.scalars(_CASES_OF_THEIR_MESSAGES, params).all()
        case_ids = list(dict.fromkeys([*ours, *theirs]))
        if not case_ids:
            return None
        # The most recent case wins when a chain touches several (a request and, later, its review).
        case = self.session.get(Case, max(case_ids))
        return case_ref(case) if case else None

    def by_reference(self, keys: Sequence[ReferenceKey]) -> CaseRef | None:
        for key in keys:
            if key.year is None:
                query, params = _CASE_BY_SEQ, {"mailbox": self.mailbox, "seq": key.seq}
            else:
                query, params = _CASE_BY_SEQ_YEAR, {"mailbox": self.mailbox, "seq": key.seq, "year": key.year}
            matches = self.session.scalars(query, params).all()
            if len(matches) == 1:
                return case_ref(matches[0])
        return None

    def replies_today(self, address: str) -> int:
        """Automatic replies queued to this mailbox (a mailbox_key) in the last 24 hours (the daily cap)."""
        since = datetime.now(UTC) - timedelta(days=1)
        return int(self.session.scalar(
            _REPLIES_SINCE, {"mailbox": self.mailbox, "address": mailbox_key(address), "since": since}) or 0)

    def replies_this_hour(self, up_to: int) -> int:
        """Automatic replies from this mailbox, to anyone, to mail received in the hour before this message was,
        counted up to `up_to` (the cap)."""
        until = self.received_at or datetime.now(UTC)
        return int(self.session.scalar(_MAILBOX_REPLIES_RECEIVED_SINCE, {
            "mailbox": self.mailbox, "since": until - timedelta(hours=1), "until": until, "up_to": up_to}) or 0)

    def our_templates(self, message_ids: Sequence[str]) -> tuple[str, ...]:
        """Which of our own templates these Message-IDs were sent with (a reply to a receipt is not answered)."""
        ids = list(message_ids)
        if not ids:
            return ()
        return tuple(self.session.scalars(_OUR_TEMPLATES, {"mailbox": self.mailbox, "ids": ids}))

    def by_sender_subject(self, sender: str, subject_stem: str) -> list[CaseRef]:
        case_ids = self.session.scalars(
            _OPEN_CASE_IDS_BY_SENDER_SUBJECT,
            {"mailbox": self.mailbox, "address": sender.lower(), "stem": subject_stem},
        ).all()
        cases = [self.session.get(Case, case_id) for case_id in case_ids]
        return [case_ref(case) for case in cases if case is not None]


def allocate_reference(session: Session, mailbox: str, year: int, *, fmt: str, first_next: int,
                       reset_yearly: bool) -> tuple[int, str]:
    """The next enquiry number, taken under a row lock so two processes can never hand out the same one.

    The first counter ever created starts at the configured number (the seed's 13931); with yearly numbering,
    each later year starts at 1.
    """
    key_year = year if reset_yearly else 0
    advanced = session.scalar(_ADVANCE_COUNTER, {"counter_mailbox": mailbox, "counter_year": key_year})
    if advanced is not None:
        seq = int(advanced) - 1
    else:
        any_counter = session.scalar(_COUNTERS_OF_MAILBOX, {"mailbox": mailbox})
        seq = first_next if not any_counter else 1
        session.add(ReferenceCounter(mailbox=mailbox, year=key_year, next_seq=seq + 1))
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
