"""Ingest: new mail from the IMAP inbox into the database, then out of the inbox.

The order is the promise: fetch (PEEK, so nothing changes on the server), store the raw bytes and commit, and only
then move the message to the processed folder. A crash anywhere leaves the message either still in the inbox or
safely stored; a message stored but not yet moved is moved on the next poll, and a message seen twice (a rescan
after UIDVALIDITY changed, a redelivery) is recognised by its Message-ID and stored once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailbot.batching import chunks
from mailbot.clock.workdays import receipt_date
from mailbot.config import Settings
from mailbot.mail.lognames import log_name_raw
from mailbot.mail.parse import message_id_of
from mailbot.mailserver.imap import ImapConnection
from mailbot.store.db import Database
from mailbot.store.models import FolderState, InboundMessage, utcnow

log = logging.getLogger(__name__)


@dataclass
class IngestStats:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    moved: int = 0
    rescanned: bool = False


class Ingest:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.mailbox = settings.mailbox.address

    def poll(self, conn: ImapConnection) -> IngestStats:
        stats = IngestStats()
        imap = self.settings.imap
        conn.ensure_folder(imap.processed_folder)
        uidvalidity = conn.select(imap.inbox)
        last_uid = self._folder_state(uidvalidity, stats)
        stats.moved += self._move_leftovers(conn, uidvalidity)
        uids = conn.uids_after(last_uid)
        for batch in chunks(uids, imap.batch_size):
            fetched = conn.fetch(batch)
            stats.fetched += len(fetched)
            new_ids, to_move = self._store(fetched, uidvalidity, max(batch), stats)
            # Committed: only now may the server change.
            conn.move(to_move, imap.processed_folder)
            self._mark_moved(new_ids)
            stats.moved += len(to_move)
        self._mark_polled()
        return stats

    def _mark_polled(self) -> None:
        """The inbox's state row records when a poll last finished: /healthz reports it per mailbox."""
        with self.db.session() as session:
            session.execute(update(FolderState).where(
                FolderState.mailbox == self.mailbox, FolderState.folder == self.settings.imap.inbox,
            ).values(updated_at=utcnow()))

    def _folder_state(self, uidvalidity: int, stats: IngestStats) -> int:
        """The highest UID already stored; zero (a full, deduplicated rescan) when UIDVALIDITY has changed."""
        folder = self.settings.imap.inbox
        with self.db.session() as session:
            state = session.scalars(select(FolderState).where(
                FolderState.mailbox == self.mailbox, FolderState.folder == folder).with_for_update()).one_or_none()
            if state is None:
                session.add(FolderState(mailbox=self.mailbox, folder=folder, uidvalidity=uidvalidity, last_uid=0))
                return 0
            if state.uidvalidity != uidvalidity:
                log.warning("UIDVALIDITY of %s changed (%s -> %s): rescanning, deduplicating by Message-ID",
                            folder, state.uidvalidity, uidvalidity)
                state.uidvalidity, state.last_uid = uidvalidity, 0
                stats.rescanned = True
            return int(state.last_uid)

    def _move_leftovers(self, conn: ImapConnection, uidvalidity: int) -> int:
        """Messages stored by an earlier poll that crashed before moving them."""
        with self.db.session() as session:
            rows = session.execute(select(InboundMessage.id, InboundMessage.uid).where(
                InboundMessage.mailbox == self.mailbox, InboundMessage.folder == self.settings.imap.inbox,
                InboundMessage.uidvalidity == uidvalidity, InboundMessage.moved.is_(False))).all()
        if not rows:
            return 0
        conn.move([uid for _, uid in rows], self.settings.imap.processed_folder)
        self._mark_moved([row_id for row_id, _ in rows])
        return len(rows)

    def _store(self, fetched: dict[int, tuple[bytes, datetime]], uidvalidity: int, highest: int,
               stats: IngestStats) -> tuple[list[int], list[int]]:
        """Store a fetched batch in one transaction: one query finds the Message-IDs already stored, one INSERT
        (under a savepoint) stores the rest; only if another instance stored one of them meanwhile are they
        stored one by one, each under its own savepoint, as they always could be."""
        to_move = sorted(fetched)
        inbox = self.settings.imap.inbox
        message_ids = {uid: message_id_of(fetched[uid][0]) for uid in to_move}
        with self.db.session() as session:
            known = {row.message_id: row for row in session.scalars(select(InboundMessage).where(
                InboundMessage.mailbox == self.mailbox,
                InboundMessage.message_id.in_(sorted(set(message_ids.values())))))}
            touched: list[InboundMessage] = []  # stored now, or stored before and not yet moved
            fresh: list[InboundMessage] = []
            for uid in to_move:
                raw, when = fetched[uid]
                message_id = message_ids[uid]
                existing = known.get(message_id)
                if existing is not None:  # stored before, or earlier in this batch
                    stats.duplicates += 1
                    if not existing.moved:  # seen again after a rescan: its new UID is the one to move
                        existing.folder, existing.uidvalidity, existing.uid = inbox, uidvalidity, uid
                        touched.append(existing)
                    log.info("duplicate of stored message %s (uid %s): moved, not stored again",
                             log_name_raw(message_id, raw), uid)
                    continue
                row = self._row(raw, when, message_id, uid, uidvalidity, inbox)
                known[message_id] = row
                fresh.append(row)
                touched.append(row)
            stored = self._insert(session, fresh, stats)
            for row in fresh:
                if row in stored:
                    stats.stored += 1
                    log.info("stored %s (uid %s, received %s)", log_name_raw(row.message_id, row.raw), row.uid,
                             row.received_date)
                else:
                    touched.remove(row)
            self._advance(session, highest)
            new_ids = [row.id for row in touched]
        return new_ids, to_move

    @staticmethod
    def _insert(session: Session, rows: list[InboundMessage], stats: IngestStats) -> set[InboundMessage]:
        """The rows that are now stored; the others were stored by another instance this instant."""
        if not rows:
            return set()
        try:
            with session.begin_nested():
                session.add_all(rows)
            return set(rows)
        except IntegrityError:
            pass
        stored: set[InboundMessage] = set()
        for row in rows:
            try:
                with session.begin_nested():  # another instance may store the same message this instant
                    session.add(row)
                stored.add(row)
            except IntegrityError:
                stats.duplicates += 1
                log.info("%s was stored by another instance meanwhile", log_name_raw(row.message_id, row.raw))
        return stored

    def _row(self, raw: bytes, when: datetime, message_id: str, uid: int, uidvalidity: int,
             folder: str) -> InboundMessage:
        if when.tzinfo is None:
            raise ValueError(f"INTERNALDATE of uid {uid} has no offset")
        return InboundMessage(
            mailbox=self.mailbox, message_id=message_id, folder=folder, uidvalidity=uidvalidity, uid=uid,
            moved=False, received_at=when, received_date=receipt_date(when), raw=raw, size=len(raw), status="new",
        )

    def _advance(self, session: Session, highest: int) -> None:
        state = session.scalars(select(FolderState).where(
            FolderState.mailbox == self.mailbox, FolderState.folder == self.settings.imap.inbox)).one()
        state.last_uid = max(int(state.last_uid), highest)

    def _mark_moved(self, row_ids: list[int]) -> None:
        if not row_ids:
            return
        with self.db.session() as session:
            session.execute(update(InboundMessage).where(InboundMessage.id.in_(row_ids)).values(moved=True),
                            execution_options={"synchronize_session": False})


