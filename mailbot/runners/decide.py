"""The decision runner: every stored message that is still new gets parsed, judged and acted on — once.

Each message's decision, case, reference and reply are written in one transaction (on PostgreSQL, one shared by
up to 20 messages), under the message's row lock and re-checked, so two runners or a restart can never decide the
same message twice. A message that makes any step fail is retried a bounded number of times and then quarantined
for staff, while the rest carry on. A failure of the database or the disk (faults.classify) is nobody's message's
fault: it stops the run, counts against no message and is left to the cycle to log once per outage.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from mailbot.batching import chunks
from mailbot.config import Settings
from mailbot.judging.decision import Decision
from mailbot.judging.judge import judge
from mailbot.judging.values import Action
from mailbot.mail.lognames import log_name, log_name_raw
from mailbot.mail.parse import parse_message
from mailbot.replies.templates import RenderInterrupted, Templates
from mailbot.runners.act import DecisionApplier, Outcome
from mailbot.runners.faults import classify
from mailbot.store.db import Database
from mailbot.store.models import InboundMessage
from mailbot.store.queries import DbThreadIndex

log = logging.getLogger(__name__)

# session.get(..., with_for_update=True), built once: it is the first statement of every message's transaction.
_LOCKED_ROW = select(InboundMessage).where(InboundMessage.id == bindparam("id")).with_for_update()

# Each transaction costs a connection check, a BEGIN and a commit (on PostgreSQL a wait for the WAL to reach the
# disk): deciding this many messages per transaction spares most of that. Nothing else writes while the runner
# works (sending follows deciding), so on SQLite too a batch holds up nobody. A failure anywhere in a batch rolls all
# of it back and its messages are decided again one by one, so a bad message still only ever costs itself.
DECISION_BATCH = 20


@dataclass
class ProcessStats:
    decided: int = 0
    replies_queued: int = 0
    failed: int = 0
    quarantined: int = 0
    actions: dict[Action, int] = field(default_factory=dict)


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
        size = DECISION_BATCH
        with self.templates.steady():  # template files read once per run, not once per reply
            for batch in chunks(self.pending_ids(), size):
                if should_stop():
                    log.info("stop requested: leaving the remaining messages for the next run")
                    break
                queued = stats.replies_queued
                if len(batch) == 1 or not self._batch(batch, now, stats, should_stop):
                    for row_id in batch:
                        if should_stop():
                            break
                        self._one(row_id, now(), stats)
                if stats.replies_queued != queued:
                    on_queued()
        return stats

    def _decide(self, session: Session, row_id: int, now: datetime) -> tuple[str, Decision, Outcome] | None:
        row = session.scalars(_LOCKED_ROW, {"id": row_id}).one_or_none()
        if row is None or row.status != "new":
            return None  # another runner got there first
        parsed = parse_message(row.raw)
        decision = judge(parsed, DbThreadIndex(session, self.mailbox, row.received_at), self.judge_settings)
        return row.message_id, decision, self.applier.apply(session, row, parsed, decision, now)

    def _batch(self, batch: list[int], now: Callable[[], datetime], stats: ProcessStats,
               should_stop: Callable[[], bool]) -> bool:
        """Several messages in one transaction; False (and nothing written) if any of them failed."""
        decided: list[tuple[str, Decision, Outcome]] = []
        try:
            with self.db.session() as session:
                for row_id in batch:
                    if should_stop():
                        break
                    result = self._decide(session, row_id, now())
                    if result is not None:
                        decided.append(result)
                    session.flush()
                    session.expunge_all()  # a batch of large messages must not stay in memory together
        except Exception as exc:  # noqa: BLE001 - the one-by-one pass finds and records the message at fault
            if classify(exc) is not None:
                raise  # the infrastructure, not a message: deciding them one by one would only fail again
            log.info("a batch of %d messages failed (%s): deciding them one by one", len(batch), type(exc).__name__)
            return False
        for message_id, decision, outcome in decided:
            self._count(message_id, decision, outcome, stats)
        return True

    def _one(self, row_id: int, now: datetime, stats: ProcessStats) -> None:
        try:
            with self.db.session() as session:
                result = self._decide(session, row_id, now)
            if result is not None:
                self._count(*result, stats)
        except Exception as exc:  # noqa: BLE001 - one bad message must not stop the others
            if classify(exc) is not None:
                raise  # no message's fault: its attempts stay as they are, and the cycle says so once
            stats.failed += 1
            try:
                self._record_failure(row_id, exc, stats)
            except Exception as again:  # noqa: BLE001 - nor may recording its failure: it stays new, tried next run
                log.error("could not record the failure of row %s: %s", row_id, type(again).__name__)

    @staticmethod
    def _count(message_id: str, decision: Decision, outcome: Outcome, stats: ProcessStats) -> None:
        stats.decided += 1
        stats.actions[outcome.action] = stats.actions.get(outcome.action, 0) + 1
        if outcome.reply_message_id:
            stats.replies_queued += 1
        log.info("decided %s: %s/%s%s%s", log_name(message_id, decision.address), decision.kind, outcome.action,
                 f" enquiry {outcome.reference}" if outcome.reference else "",
                 f" reply {outcome.reply_message_id}" if outcome.reply_message_id else "")

    def _record_failure(self, row_id: int, exc: Exception, stats: ProcessStats) -> None:
        # The error text is the exception's type and message only; never the mail's body.
        error = f"{type(exc).__name__}: {str(exc)[:500]}"
        if isinstance(exc, RenderInterrupted):  # stopping mid-render: no fault of the message, left as it was
            log.info("stopping: row %d left for the next run", row_id)
            return
        with self.db.session() as session:
            row = session.get(InboundMessage, row_id, with_for_update=True)
            message_id = log_name_raw(row.message_id, row.raw) if row is not None else f"row {row_id}"
            log.error("failed to process %s: %s", message_id, error, exc_info=log.isEnabledFor(logging.DEBUG))
            if row is None or row.status != "new":
                return
            row.attempts += 1
            row.last_error = error
            if row.attempts >= self.settings.processing.max_attempts:
                row.status = "quarantined"
                stats.quarantined += 1
                log.error("quarantined %s after %d failed attempts", message_id, row.attempts)
