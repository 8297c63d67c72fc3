"""The Sent folder's copy of every reply sent: made in batches, flagged once there, caught up after a failure.

The copy is also the evidence that an interrupted send went out (runners/send.py looks there before sending a row
left `sending` again), so a reply accepted by the server is queued for Sent before its `sent` record is tried.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import bindparam, false, select, update

from mailbot.batching import chunks
from mailbot.mailserver.imap import Credential
from mailbot.mailserver.sentfolder import MULTIAPPEND_MESSAGES, SentCopy, SentFolder
from mailbot.store.db import Database
from mailbot.store.models import OutboxMessage

log = logging.getLogger(__name__)

_OUTBOX = OutboxMessage.__table__
_MARK_IN_SENT = update(_OUTBOX).where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True))).values(in_sent=True)
_NOT_IN_SENT = (
    select(_OUTBOX.c.id, _OUTBOX.c.message_id)
    .where(_OUTBOX.c.mailbox == bindparam("mailbox"), _OUTBOX.c.status == "sent", _OUTBOX.c.in_sent == false())
    .order_by(_OUTBOX.c.id)
)
_COPIES = (
    select(_OUTBOX.c.id, _OUTBOX.c.message_id, _OUTBOX.c.raw, _OUTBOX.c.sent_at)
    .where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_OUTBOX.c.id)
)


class SentCopies:
    def __init__(self, db: Database, sent_folder: SentFolder | None, mailbox: str) -> None:
        self.db = db
        self.sent_folder = sent_folder
        self.mailbox = mailbox
        self._pending: list[tuple[int, SentCopy]] = []  # accepted by the server, not yet copied to Sent
        self._reachable = True  # false once Sent failed this run: the copies then wait for the next one

    def use_password(self, password: Credential) -> None:
        """The IMAP password changed (a rotated secret): the Sent folder is reached with the new one."""
        if self.sent_folder is not None:
            self.sent_folder.password = password

    def begin(self) -> None:
        """A new run: Sent is worth trying again."""
        self._reachable = True

    def contains(self, message_id: str) -> bool | None:
        """Whether Sent holds the reply (None: Sent cannot be read; no folder configured: False)."""
        return self.sent_folder.contains(message_id) if self.sent_folder is not None else False

    def add(self, row_id: int, copy: SentCopy) -> None:
        """A reply the server accepted: copied with the next batch."""
        self._pending.append((row_id, copy))
        if len(self._pending) >= MULTIAPPEND_MESSAGES:
            self.flush()

    def close(self) -> None:
        if self.sent_folder is not None:
            self.sent_folder.close()

    def flush(self) -> None:
        """Copy the replies sent since the last batch to Sent, and flag the ones now there."""
        pending, self._pending = self._pending, []
        if not pending or self.sent_folder is None or not self._reachable:
            return
        filed = self.sent_folder.append_many([copy for _, copy in pending])
        self._reachable = filed.reachable
        in_sent = set(filed.message_ids)
        self.mark([row_id for row_id, copy in pending if copy.message_id in in_sent])

    def catch_up(self) -> None:
        """Replies sent by an earlier run (or this one, before a failure) whose copy never reached Sent.

        A copy may have gone in just before a crash stopped it being flagged, so each is looked for first."""
        with self.db.engine.connect() as conn:
            unfiled = conn.execute(_NOT_IN_SENT, {"mailbox": self.mailbox}).all()
        if not unfiled or self.sent_folder is None:
            return
        log.info("%d sent replies are not yet in %s: copying them", len(unfiled), self.sent_folder.folder)
        for batch in chunks([row.id for row in unfiled], MULTIAPPEND_MESSAGES):
            with self.db.engine.connect() as conn:
                rows = conn.execute(_COPIES, {"ids": batch}).all()
            already: list[int] = []
            for row in rows:
                found = self.sent_folder.contains(row.message_id)
                if found is None:
                    self._reachable = False
                    return
                if found:
                    already.append(row.id)
                else:
                    when = row.sent_at or datetime.now(UTC)
                    # SQLite hands timestamps back without their offset; they were stored in UTC.
                    self._pending.append((row.id, SentCopy(row.message_id, row.raw,
                                                           when if when.tzinfo else when.replace(tzinfo=UTC))))
            self.mark(already)
            self.flush()
            if not self._reachable:
                return

    def mark(self, row_ids: list[int]) -> None:
        if row_ids:
            with self.db.engine.begin() as conn:
                conn.execute(_MARK_IN_SENT, {"ids": row_ids})
