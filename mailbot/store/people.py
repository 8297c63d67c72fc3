"""A requester's own data: everything mailbot holds about one address (for their subject access request), and its
erasure (UK GDPR Art 17) — refused, with the reason, for whatever the law still requires to be kept.

An address is matched as stored: a case's lower-cased correspondence address, the address a decision read from a
message that started no case, and the recipient of a reply. Erasure anonymises exactly as the retention schedule
does (`store/disposal.py`), so the statistics keep their counts, and logs each record under the rule "erasure".
The holds are the schedule's (FOIA s77, Art 17(3)(b) and (e)): an open request, review, ICO complaint, tribunal
appeal or appeal window, a legal hold, a later open request from the same applicant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mailbot.clock.retention import RetentionPolicy, case_verdict
from mailbot.mail.mailbox_key import mailbox_key
from mailbot.store.disposal import anonymise_case, blank_messages, blank_outbox, log_disposal
from mailbot.store.models import Case, ClockEventRow, Decision, InboundMessage, OutboxMessage, Review
from mailbot.store.retention import case_facts


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _cases(session: Session, mailbox: str, address: str) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.mailbox == mailbox, Case.address == address.strip().lower())
                                .order_by(Case.id)))


def _loose_messages(session: Session, mailbox: str, address: str) -> list[InboundMessage]:
    """Messages from the address that started no case (the decision's facts name the sender)."""
    wanted = address.strip().lower()
    rows = session.execute(select(InboundMessage, Decision.facts).join(Decision, Decision.inbound_id ==
                                                                        InboundMessage.id)
                           .where(InboundMessage.mailbox == mailbox, Decision.case_id.is_(None),
                                  InboundMessage.disposed_at.is_(None)).order_by(InboundMessage.id))
    return [message for message, facts in rows if str((facts or {}).get("address") or "").lower() == wanted]


def _replies_to(session: Session, mailbox: str, address: str) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(
        OutboxMessage.mailbox == mailbox, OutboxMessage.disposed_at.is_(None),
        or_(OutboxMessage.recipient == address.strip().lower(),
            OutboxMessage.recipient_key == mailbox_key(address))).order_by(OutboxMessage.id)))


def export(session: Session, mailbox: str, address: str) -> dict[str, Any]:
    """Everything held about the address, as JSON-ready values: cases with their events and reviews, every
    message and reply in full (raw MIME, as received or sent)."""
    cases = _cases(session, mailbox, address)
    case_ids = [c.id for c in cases]
    inbound_ids = set(session.scalars(select(Decision.inbound_id).where(Decision.case_id.in_(case_ids))))
    messages = [*session.scalars(select(InboundMessage).where(InboundMessage.id.in_(inbound_ids))
                                 .order_by(InboundMessage.id)), *_loose_messages(session, mailbox, address)]
    replies = {r.id: r for r in session.scalars(select(OutboxMessage).where(OutboxMessage.case_id.in_(case_ids)))}
    replies.update({r.id: r for r in _replies_to(session, mailbox, address)})
    events = session.scalars(select(ClockEventRow).where(ClockEventRow.case_id.in_(case_ids))
                             .order_by(ClockEventRow.id)).all()
    reviews = session.scalars(select(Review).where(Review.case_id.in_(case_ids)).order_by(Review.id)).all()
    return {
        "address": address.strip().lower(), "mailbox": mailbox,
        "cases": [{"reference": c.reference, "regime": c.regime, "status": c.status, "applicant_name": c.applicant_name,
                   "address": c.address, "subject": c.subject, "first_received": c.first_received.isoformat(),
                   "received": c.received.isoformat() if c.received else None,
                   "due": c.due.isoformat() if c.due else None, "outcome": c.outcome, "exemptions": c.exemptions,
                   "legal_hold": c.hold_reason,
                   "events": [{"on": e.occurred_on.isoformat(), "kind": e.kind, "note": e.note}
                              for e in events if e.case_id == c.id],
                   "reviews": [{"received": r.received.isoformat(), "due": r.due.isoformat(), "status": r.status,
                                "outcome": r.outcome} for r in reviews if r.case_id == c.id]} for c in cases],
        "messages": [{"message_id": m.message_id, "received_at": m.received_at.isoformat(), "status": m.status,
                      "raw": _text(m.raw)} for m in messages],
        "replies": [{"message_id": r.message_id, "created_at": r.created_at.isoformat(), "template": r.template,
                     "status": r.status, "raw": _text(r.raw)} for r in sorted(replies.values(), key=lambda r: r.id)],
    }


@dataclass
class Erasure:
    erased: list[str] = field(default_factory=list)  # case references (or "message #12")
    refused: list[tuple[str, str]] = field(default_factory=list)  # (reference, why)


def erase(session: Session, mailbox: str, address: str, policy: RetentionPolicy, today: date, now: datetime,
          instance: str) -> Erasure:
    """Anonymise every case of the address that nothing holds, and blank its loose messages and replies."""
    result = Erasure()
    cases = [c for c in _cases(session, mailbox, address) if c.anonymised_at is None]
    facts = case_facts(session, cases)
    kept: set[int] = set()
    for case in cases:
        label = case.reference or f"#{case.id}"
        holds = case_verdict(facts[case.id], policy, today).holds
        if holds:
            result.refused.append((label, "; ".join(holds)))
            kept.add(case.id)
            continue
        anonymise_case(session, case, now)
        log_disposal(session, mailbox, instance, "case", "erasure", now, record_id=case.id, reference=label,
                     detail="anonymised at the applicant's request (UK GDPR Art 17)")
        result.erased.append(label)
    for message in _loose_messages(session, mailbox, address):
        blank_messages(session, [message.id], now)
        log_disposal(session, mailbox, instance, "message", "erasure", now, record_id=message.id,
                     detail="raw message removed at the sender's request (UK GDPR Art 17)")
        result.erased.append(f"message #{message.id}")
    for reply in _replies_to(session, mailbox, address):
        if reply.case_id in kept or reply.status in ("queued", "sending"):
            continue  # a held case keeps its replies; one still to be sent is delivered first
        blank_outbox(session, OutboxMessage.id == reply.id, now)
        log_disposal(session, mailbox, instance, "reply", "erasure", now, record_id=reply.id,
                     detail="reply text removed at the recipient's request (UK GDPR Art 17)")
        result.erased.append(f"reply #{reply.id}")
    return result


__all__ = ["Erasure", "erase", "export"]
