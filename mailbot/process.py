"""The decision runner: every stored message that is still new gets parsed, judged and acted on — once.

Each message is its own transaction (decision, case, reference and reply together), taken under a row lock and
re-checked, so two runners or a restart can never decide the same message twice. A message that makes any step
fail is retried a bounded number of times and then quarantined for staff, while the rest carry on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select

from mailbot.actions import DecisionApplier
from mailbot.config import Settings
from mailbot.judge import judge
from mailbot.parse import parse_message
from mailbot.replies import Templates
from mailbot.store.db import Database
from mailbot.store.models import InboundMessage
from mailbot.store.queries import DbThreadIndex

log = logging.getLogger(__name__)

# session.get(..., with_for_update=True), built once: it is the first statement of every message's transaction.
_LOCKED_ROW = select(InboundMessage).where(InboundMessage.id == bindparam("id")).with_for_update()


@dataclass
class ProcessStats:
    decided: int = 0
    replies_queued: int = 0
    failed: int = 0
    quarantined: int = 0
    actions: dict[str, int] = field(default_factory=dict)


class Processor:
    def __init__(self, settings: Settings, db: Database, templates: Templates) -> None:
        self.settings = settings
        self.db = db
        self.templates = templates
        self.applier = DecisionApplier(settings, templates)
        self.judge_settings = settings.judge_settings()
        self.mailbox = settings.mailbox.address

    def pending_ids(self) -> list[int]:
        with self.db.session() as session:
            return list(session.scalars(
                select(InboundMessage.id)
                .where(InboundMessage.mailbox == self.mailbox, InboundMessage.status == "new")
                .order_by(InboundMessage.received_at, InboundMessage.id)
            ))

    def run(self, now: Callable[[], datetime], should_stop: Callable[[], bool] = lambda: False,
            on_queued: Callable[[], None] = lambda: None) -> ProcessStats:
        """`on_queued` is told each time a committed decision has queued a reply, so a sender can start on it."""
        stats = ProcessStats()
        with self.templates.steady():  # template files read once per run, not once per reply
            for row_id in self.pending_ids():
                if should_stop():
                    log.info("stop requested: leaving the remaining messages for the next run")
                    break
                queued = stats.replies_queued
                self._one(row_id, now(), stats)
                if stats.replies_queued != queued:
                    on_queued()
        return stats

    def _one(self, row_id: int, now: datetime, stats: ProcessStats) -> None:
        message_id = "?"
        try:
            with self.db.session() as session:
                row = session.scalars(_LOCKED_ROW, {"id": row_id}).one_or_none()
                if row is None or row.status != "new":
                    return  # another runner got there first
                message_id = row.message_id
                parsed = parse_message(row.raw)
                decision = judge(parsed, DbThreadIndex(session, self.mailbox), self.judge_settings)
                outcome = self.applier.apply(session, row, parsed, decision, now)
            stats.decided += 1
            stats.actions[outcome.action] = stats.actions.get(outcome.action, 0) + 1
            if outcome.reply_message_id:
                stats.replies_queued += 1
            log.info("decided %s: %s/%s%s%s", message_id, decision.kind, outcome.action,
                     f" enquiry {outcome.reference}" if outcome.reference else "",
                     f" reply {outcome.reply_message_id}" if outcome.reply_message_id else "")
        except Exception as exc:  # noqa: BLE001 - one bad message must not stop the others
            stats.failed += 1
            self._record_failure(row_id, message_id, exc, stats)

    def _record_failure(self, row_id: int, message_id: str, exc: Exception, stats: ProcessStats) -> None:
        # The error text is the exception's type and message only; never the mail's body.
        error = f"{type(exc).__name__}: {str(exc)[:500]}"
        log.error("failed to process %s: %s", message_id, error, exc_info=log.isEnabledFor(logging.DEBUG))
        with self.db.session() as session:
            row = session.get(InboundMessage, row_id, with_for_update=True)
            if row is None or row.status != "new":
                return
            row.attempts += 1
            row.last_error = error
            if row.attempts >= self.settings.processing.max_attempts:
                row.status = "quarantined"
                stats.quarantined += 1
                log.error("quarantined %s after %d failed attempts", message_id, row.attempts)
