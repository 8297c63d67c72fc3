"""Everything that happened to one request, in order: the staff page's timeline.

Each source table (messages, decisions, replies, clock events, reviews, staff actions) is read once for the case,
so the page costs a handful of statements however long the case's history is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.store.models import Case, ClockEventRow, Decision, InboundMessage, OutboxMessage, Review, StaffAction


@dataclass(frozen=True)
class Entry:
    """One line of the timeline. `kind` picks how the page shows it; `row` is the stored row itself."""

    at: datetime
    kind: str  # message | decision | reply | clock | review | staff
    row: Any
    extra: dict[str, Any] = field(default_factory=dict)


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def case_timeline(session: Session, case: Case) -> list[Entry]:
    decisions = list(session.scalars(select(Decision).where(Decision.case_id == case.id).order_by(Decision.id)))
    inbound_ids = [d.inbound_id for d in decisions]
    messages = {m.id: m for m in session.scalars(select(InboundMessage).where(InboundMessage.id.in_(inbound_ids)))}
    entries: list[Entry] = []
    for decision in decisions:
        message = messages.get(decision.inbound_id)
        if message is not None:
            entries.append(Entry(_aware(message.received_at), "message", message))
        entries.append(Entry(_aware(decision.created_at), "decision", decision))
    for reply in session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id)
                                 .order_by(OutboxMessage.id)):
        entries.append(Entry(_aware(reply.sent_at or reply.created_at), "reply", reply))
    for event in session.scalars(select(ClockEventRow).where(ClockEventRow.case_id == case.id)
                                 .order_by(ClockEventRow.id)):
        entries.append(Entry(_aware(event.recorded_at), "clock", event))
    for review in session.scalars(select(Review).where(Review.case_id == case.id).order_by(Review.id)):
        entries.append(Entry(_aware(review.created_at or datetime.combine(review.received, time(), UTC)),
                             "review", review))
    # A clock event shows who recorded it on its own line; the other staff actions appear as themselves.
    for action in session.scalars(select(StaffAction).where(StaffAction.case_id == case.id,
                                                            StaffAction.action != "clock_event")
                                  .order_by(StaffAction.id)):
        entries.append(Entry(_aware(action.at), "staff", action))
    kinds = ("message", "decision", "clock", "review", "reply", "staff")  # cause before effect at the same moment
    return sorted(entries, key=lambda e: (e.at, kinds.index(e.kind)))


__all__ = ["Entry", "case_timeline"]
