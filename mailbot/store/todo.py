"""What is waiting for staff: mail the bot did not answer and nobody has decided, held requests, quarantined
messages and replies that could not be delivered. Lists read columns only, never raw mail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from mailbot.judging.values import Action
from mailbot.store.models import Case, Decision, InboundMessage, OutboxMessage, StaffAction


@dataclass(frozen=True)
class WaitingMessage:
    id: int
    message_id: str
    received_date: date
    received_at: datetime
    mailbox: str
    kind: str
    regime: str | None
    reasons: list[str]
    facts: dict[str, Any]
    case_id: int | None


def _mailboxes(query: Any, column: Any, mailboxes: Sequence[str]) -> Any:
    return query.where(column.in_(list(mailboxes))) if mailboxes else query


def unanswered(session: Session, mailboxes: Sequence[str] = (), limit: int = 200) -> list[WaitingMessage]:
    """Left to staff by the bot (staff review) and not yet decided by anyone: oldest first."""
    decided = exists().where(StaffAction.inbound_id == InboundMessage.id, StaffAction.action == "triage")
    query = (select(InboundMessage.id, InboundMessage.message_id, InboundMessage.received_date,
                    InboundMessage.received_at, InboundMessage.mailbox, Decision.kind, Decision.regime,
                    Decision.reasons, Decision.facts, Decision.case_id)
             .join(Decision, Decision.inbound_id == InboundMessage.id)
             .where(Decision.action == Action.STAFF_REVIEW, ~decided)
             .order_by(InboundMessage.received_at, InboundMessage.id).limit(limit))
    query = _mailboxes(query, InboundMessage.mailbox, mailboxes)
    return [WaitingMessage(*row) for row in session.execute(query)]


def held(session: Session, mailboxes: Sequence[str] = (), limit: int = 200) -> list[Case]:
    query = select(Case).where(Case.status == "held").order_by(Case.first_received, Case.id).limit(limit)
    return list(session.scalars(_mailboxes(query, Case.mailbox, mailboxes)))


def quarantined(session: Session, mailboxes: Sequence[str] = (), limit: int = 200) -> list[Any]:
    query = (select(InboundMessage.id, InboundMessage.message_id, InboundMessage.received_date,
                    InboundMessage.attempts, InboundMessage.last_error, InboundMessage.mailbox)
             # In arrival order, as ix_inbound_status holds them: ordered by id, the planner read every message.
             .where(InboundMessage.status == "quarantined")
             .order_by(InboundMessage.received_at, InboundMessage.id).limit(limit))
    return list(session.execute(_mailboxes(query, InboundMessage.mailbox, mailboxes)))


def failed_replies(session: Session, mailboxes: Sequence[str] = (), limit: int = 200) -> list[Any]:
    query = (select(OutboxMessage.id, OutboxMessage.message_id, OutboxMessage.template, OutboxMessage.recipient,
                    OutboxMessage.last_error, OutboxMessage.case_id, OutboxMessage.created_at, OutboxMessage.mailbox)
             .where(OutboxMessage.status == "failed").order_by(OutboxMessage.id).limit(limit))
    return list(session.execute(_mailboxes(query, OutboxMessage.mailbox, mailboxes)))


__all__ = ["WaitingMessage", "failed_replies", "held", "quarantined", "unanswered"]
