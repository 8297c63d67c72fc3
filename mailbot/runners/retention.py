"""The daily retention job: dispose of what the schedule says is due, then remove the copies on the mail server.

Run by the leader only (`service.Bot.retention_job`), or by hand (`mailbot retention --now`). Nothing goes until
the schedule has been running `retention.notice_days` (the digest announces it first), nor when `retention.dispose`
is false; the database is changed and logged in one commit, and only then are the server copies removed, found by
Message-ID in the Processed, Quarantine and Sent folders (and the inbox, for mail never moved). A copy the server
cannot be asked about now stays pending and is tried again the next day; its row keeps the Message-ID till then.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from mailbot.clock.workdays import LONDON
from mailbot.config import Settings
from mailbot.mailserver.imap import ImapConnection
from mailbot.store.db import Database
from mailbot.store.disposal import (
    ServerCopy,
    dispose,
    dispose_alerts,
    instance_name,
    pending_server_copies,
    schedule_started,
    server_copies_removed,
)
from mailbot.store.retention import Item, plan

log = logging.getLogger(__name__)
BATCH = 500  # records disposed of per transaction
SERVER_BATCH = 10_000  # disposed messages whose server copies are looked for per pass over the folders


@dataclass
class RetentionOutcome:
    disposed: Counter[str] = field(default_factory=Counter)
    held: int = 0
    server_copies: int = 0  # disposed messages whose server copies were looked for and removed
    reason: str = ""  # why nothing was disposed, when nothing was


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Retention:
    def __init__(self, settings: Settings, db: Database, *, instance: str | None = None) -> None:
        self.settings = settings
        self.db = db
        self.mailbox = settings.mailbox.address
        self.policy = settings.retention_policy()
        self.instance = instance or instance_name()

    def plan(self, today: date, horizon_days: int = 0) -> list[Item]:
        with self.db.session() as session:
            return plan(session, self.mailbox, self.policy, today, horizon_days=horizon_days)

    def dispose_due(self, now: datetime, *, announced: bool = True) -> RetentionOutcome:
        """Dispose of what is due today. `announced=False` (an admin's `--now`) skips the first-run wait."""
        outcome = RetentionOutcome()
        today = now.astimezone(LONDON).date()
        with self.db.session() as session:
            started = _aware(schedule_started(session, self.mailbox, now, self.instance))
            ready = started.astimezone(LONDON).date() + timedelta(days=self.settings.retention.notice_days)
            if announced and not self.settings.retention.dispose:
                outcome.reason = "retention.dispose is false: nothing is disposed of automatically"
                return outcome
            if announced and today < ready:
                outcome.reason = f"the schedule started on {started.date()}: the first disposal is on {ready}"
                return outcome
            items = plan(session, self.mailbox, self.policy, today)
            outcome.held = sum(1 for item in items if item.verdict.holds)
            alerts = dispose_alerts(session, self.mailbox, today, self.policy.staff_mail_days, now, self.instance)
            if alerts:
                outcome.disposed["alert"] += alerts
        going = [item for item in items if item.verdict.disposable(today)]
        for start in range(0, len(going), BATCH):  # one commit per batch: a crash keeps what is done, and logged
            with self.db.session() as session:
                outcome.disposed += dispose(session, self.mailbox, going[start:start + BATCH], self.policy, today,
                                            now, self.instance)
        if outcome.disposed:
            log.info("retention: disposed of %s in %s (%d held)",
                     ", ".join(f"{n} {kind}" for kind, n in sorted(outcome.disposed.items())), self.mailbox,
                     outcome.held)
        return outcome

    def _folders(self, copy: ServerCopy) -> list[str]:
        imap = self.settings.imap
        if copy.table == "outbox":
            return [imap.sent_folder]
        return [imap.processed_folder, imap.inbox] + ([imap.quarantine_folder] if copy.quarantined else [])

    def remove_server_copies(self, conn: ImapConnection, now: datetime) -> int:
        """Delete the server's copies of every disposed message: each folder's Message-IDs are read once, the
        matching messages expunged together, and each row then marked (and logged) in one commit per batch."""
        done = 0
        while True:
            with self.db.session() as session:
                pending = pending_server_copies(session, self.mailbox, limit=SERVER_BATCH)
            if not pending:
                return done
            removed: dict[tuple[str, int], dict[str, int]] = {}
            by_folder: dict[str, list[ServerCopy]] = {}
            for copy in pending:
                for folder in self._folders(copy):
                    by_folder.setdefault(folder, []).append(copy)
            for folder, copies in by_folder.items():
                if not conn.client.folder_exists(folder):
                    continue
                conn.select(folder)
                held = conn.message_ids()
                doomed: list[int] = []
                for copy in copies:
                    uids = held.get(copy.message_id, [])
                    doomed += uids
                    removed.setdefault((copy.table, copy.row_id), {})[folder] = len(uids)
                conn.delete(doomed)
            with self.db.session() as session:
                for copy in pending:
                    found = removed.get((copy.table, copy.row_id), {})
                    server_copies_removed(session, self.mailbox, copy, found, self.instance, now)
            done += len(pending)
            if len(pending) < SERVER_BATCH:
                return done

    def run(self, now: datetime, connect: Callable[[], ImapConnection] | None = None, *,
            announced: bool = True) -> RetentionOutcome:
        outcome = self.dispose_due(now, announced=announced)
        if connect is not None:
            with connect() as conn:
                outcome.server_copies = self.remove_server_copies(conn, now)
        return outcome


__all__ = ["Retention", "RetentionOutcome"]
