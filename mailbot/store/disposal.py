"""Carrying out the retention schedule in the database, and the disposal log that records it.

A closed case is *anonymised*, not deleted: its reference, regime, dates, clock events (without notes), outcome and
exemptions stay, so the statistics of past quarters survive; its name, address, subject, raw messages, reply texts
and decision facts go. A message that started no case loses its raw bytes and decision facts. Rows stay (with
their row numbers) so nothing that points at them breaks, and the log says what went.

The copies on the mail server go after the database commit (`runners/retention.py`): a disposed row keeps its
Message-ID until the server has confirmed the copies gone, then the Message-ID is replaced by a digest.
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from mailbot.clock.retention import RetentionPolicy, case_verdict
from mailbot.store.models import (
    Case,
    ClockEventRow,
    Decision,
    Disposal,
    InboundMessage,
    OutboxMessage,
    Review,
    StaffAlert,
)
from mailbot.store.retention import REMOVES, Item, case_facts

DISPOSED = "disposed:"  # the prefix of a Message-ID whose server copies are gone


def instance_name() -> str:
    """Which instance acted, for the log: host and process (never a person's address)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def log_disposal(session: Session, mailbox: str, instance: str, record: str, rule: str, at: datetime, *,
                 record_id: int | None = None, reference: str | None = None, detail: str = "") -> None:
    session.add(Disposal(mailbox=mailbox, instance=instance[:255], record=record, rule=rule, at=at,
                         record_id=record_id, reference=reference, detail=detail[:500]))


def blank_messages(session: Session, inbound_ids: Iterable[int], now: datetime) -> None:
    ids = sorted(set(inbound_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        session.execute(update(InboundMessage).where(InboundMessage.id.in_(chunk))
                        .values(raw=b"", last_error=None, disposed_at=func.coalesce(InboundMessage.disposed_at, now)))
        session.execute(update(Decision).where(Decision.inbound_id.in_(chunk)).values(facts={}, reasons=[]))
        session.execute(update(OutboxMessage).where(OutboxMessage.inbound_id.in_(chunk))
                        .values(raw=b"", recipient="", recipient_key="", last_error=None, in_reply_to=None,
                                disposed_at=func.coalesce(OutboxMessage.disposed_at, now)))


def blank_outbox(session: Session, where: object, now: datetime) -> None:
    session.execute(update(OutboxMessage).where(where)  # type: ignore[arg-type]
                    .values(raw=b"", recipient="", recipient_key="", last_error=None, in_reply_to=None,
                            disposed_at=func.coalesce(OutboxMessage.disposed_at, now)))


def anonymise_cases(session: Session, case_ids: list[int], now: datetime) -> None:
    """What identifies the applicants goes; what the statistics count stays. A few statements for the lot."""
    if not case_ids:
        return
    inbound = set(session.scalars(select(Decision.inbound_id).where(Decision.case_id.in_(case_ids))))
    inbound |= set(session.scalars(select(Review.inbound_id).where(Review.case_id.in_(case_ids))))
    inbound |= {i for i in session.scalars(select(ClockEventRow.inbound_id).where(
        ClockEventRow.case_id.in_(case_ids), ClockEventRow.inbound_id.is_not(None))) if i is not None}
    blank_messages(session, inbound, now)
    session.execute(update(Decision).where(Decision.case_id.in_(case_ids)).values(facts={}, reasons=[]))
    blank_outbox(session, OutboxMessage.case_id.in_(case_ids), now)
    session.execute(update(ClockEventRow).where(ClockEventRow.case_id.in_(case_ids)).values(note=""))
    session.execute(update(Case).where(Case.id.in_(case_ids)).values(
        applicant_name=None, address="", subject="", subject_stem="", anonymised_at=now),
        execution_options={"synchronize_session": "fetch"})


def anonymise_case(session: Session, case: Case, now: datetime) -> None:
    anonymise_cases(session, [case.id], now)


def _disposable_cases(session: Session, ids: list[int], policy: RetentionPolicy, today: date) -> list[Case]:
    """The cases among `ids` that may still go, re-judged under a row lock: a hold recorded since the plan was
    made (an ICO complaint, a legal hold, a new request) wins."""
    cases = list(session.scalars(select(Case).where(Case.id.in_(ids), Case.anonymised_at.is_(None))
                                 .order_by(Case.id).with_for_update()))
    facts = case_facts(session, cases)
    return [c for c in cases if case_verdict(facts[c.id], policy, today).disposable(today)]


def dispose(session: Session, mailbox: str, items: list[Item], policy: RetentionPolicy, today: date,
            now: datetime, instance: str) -> Counter[str]:
    """Dispose of every item that may go today (a batch: the caller commits), logging each; returns how many of
    each record went."""
    done: Counter[str] = Counter()
    going = [i for i in items if i.verdict.disposable(today)]
    by_id = {i.record_id: i for i in going if i.record == "case"}
    cases = _disposable_cases(session, sorted(by_id), policy, today) if by_id else []
    anonymise_cases(session, [c.id for c in cases], now)
    logged = [by_id[c.id] for c in cases]
    messages = [i.record_id for i in going if i.record in ("message", "quarantined")]
    still = set(session.scalars(select(InboundMessage.id).where(InboundMessage.id.in_(messages),
                                                                InboundMessage.disposed_at.is_(None))))
    blank_messages(session, still, now)
    logged += [i for i in going if i.record in ("message", "quarantined") and i.record_id in still]
    staff = [i for i in going if i.record == "staff_mail"]
    blank_outbox(session, OutboxMessage.id.in_([i.record_id for i in staff]), now)
    logged += staff
    for item in logged:
        log_disposal(session, mailbox, instance, item.record, item.verdict.rule, now, record_id=item.record_id,
                     reference=item.label if item.record == "case" else None, detail=item.removes)
        done[item.record] += 1
    return done


def dispose_alerts(session: Session, mailbox: str, today: date, days: int, now: datetime, instance: str) -> int:
    """Staff alert records (their detail may quote what a message said) older than `days`."""
    gone = session.execute(delete(StaffAlert).where(StaffAlert.mailbox == mailbox,
                                                    StaffAlert.day <= today - timedelta(days=days)))
    count = int(getattr(gone, "rowcount", 0) or 0)
    if count:
        log_disposal(session, mailbox, instance, "alert", "staff_alert", now,
                     detail=f"{count} staff alert records: {REMOVES['staff_alert']}")
    return count


@dataclass(frozen=True)
class ServerCopy:
    """A disposed message whose copies on the mail server are still to be removed."""

    table: str  # inbound | outbox
    row_id: int
    message_id: str
    quarantined: bool  # a copy was put in the quarantine folder


def pending_server_copies(session: Session, mailbox: str, limit: int = 500) -> list[ServerCopy]:
    not_done = ~InboundMessage.message_id.startswith(DISPOSED)
    inbound = session.execute(select(InboundMessage.id, InboundMessage.message_id, InboundMessage.quarantine_copied)
                              .where(InboundMessage.mailbox == mailbox, InboundMessage.disposed_at.is_not(None),
                                     not_done).order_by(InboundMessage.id).limit(limit))
    copies = [ServerCopy("inbound", i, m, bool(q)) for i, m, q in inbound]
    outbox = session.execute(select(OutboxMessage.id, OutboxMessage.message_id).where(
        OutboxMessage.mailbox == mailbox, OutboxMessage.disposed_at.is_not(None),
        ~OutboxMessage.message_id.startswith(DISPOSED)).order_by(OutboxMessage.id).limit(limit))
    return copies + [ServerCopy("outbox", i, m, False) for i, m in outbox]


def server_copies_removed(session: Session, mailbox: str, copy: ServerCopy, removed: dict[str, int],
                          instance: str, now: datetime) -> None:
    """The server no longer holds the copies: the Message-ID (which may name the sender) becomes a digest."""
    digest = DISPOSED + hashlib.sha256(copy.message_id.encode("utf-8", "replace")).hexdigest()[:48]
    model = InboundMessage if copy.table == "inbound" else OutboxMessage
    session.execute(update(model).where(model.id == copy.row_id).values(message_id=digest))
    where = ", ".join(f"{n} from {folder}" for folder, n in removed.items() if n) or "none found on the server"
    log_disposal(session, mailbox, instance, "server_copy", "server_copies", now, record_id=copy.row_id,
                 detail=f"{'message' if copy.table == 'inbound' else 'reply'} #{copy.row_id}: {where}")


def schedule_started(session: Session, mailbox: str, now: datetime, instance: str) -> datetime:
    """When the schedule first ran for this mailbox (logged then): nothing goes until it has been announced."""
    first = session.scalar(select(func.min(Disposal.at)).where(Disposal.mailbox == mailbox,
                                                              Disposal.rule == "schedule_started"))
    if first is None:
        log_disposal(session, mailbox, instance, "schedule", "schedule_started", now,
                     detail="the retention schedule started; the first disposal waits retention.notice_days")
        session.flush()
        return now
    return first


def disposals_since(session: Session, mailbox: str, since: datetime) -> list[Disposal]:
    return list(session.scalars(select(Disposal).where(Disposal.mailbox == mailbox, Disposal.at >= since)
                                .order_by(Disposal.id)))


__all__ = ["DISPOSED", "ServerCopy", "anonymise_case", "anonymise_cases", "blank_messages", "blank_outbox",
           "disposals_since", "dispose", "dispose_alerts", "instance_name", "log_disposal", "pending_server_copies",
           "schedule_started", "server_copies_removed"]
