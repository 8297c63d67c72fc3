"""Ingest: new mail from the IMAP inbox into the database, then out of the inbox.

The order is the promise: fetch (PEEK, so nothing changes on the server), store the raw bytes and commit, and only
then move the message to the processed folder. A crash anywhere leaves the message either still in the inbox or
safely stored; a message stored but not yet moved is moved on the next poll, and a message seen twice (a rescan
after UIDVALIDITY changed, a redelivery) is recognised by its Message-ID and stored once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailbot.batching import chunks
from mailbot.clock.workdays import receipt_date
from mailbot.config import Settings
from mailbot.mail.ids import synthetic_id
from mailbot.mail.lognames import log_name_raw
from mailbot.mail.parse import message_id_of
from mailbot.mailserver.imap import ImapConnection
from mailbot.store.db import Database
from mailbot.store.models import FolderState, InboundMessage, utcnow
from mailbot.store.storable import MESSAGE_ID_LENGTH, storable_key

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
        (under a savepoint) stores the rest; only if that fails (another instance stored one of them meanwhile, or
        one message cannot be stored) are they stored one by one, each under its own savepoint, so one message
        never stops the others. Returns the rows to mark moved and the UIDs the server may now move: every UID
        except one that could not be stored even as quarantined, which stays in the inbox (and the folder's
        watermark stays below it, so the next poll tries it again)."""
        inbox = self.settings.imap.inbox
        message_ids = {uid: message_id_of(fetched[uid][0]) for uid in sorted(fetched)}
        # Keyed by the value as stored: a Message-ID too long for its column is stored cut (store/storable.py).
        keys = {uid: storable_key(message_id, MESSAGE_ID_LENGTH) for uid, message_id in message_ids.items()}
        with self.db.session() as session:
            known = {row.message_id: row for row in session.scalars(select(InboundMessage).where(
                InboundMessage.mailbox == self.mailbox, InboundMessage.message_id.in_(sorted(set(keys.values())))))}
            touched: list[InboundMessage] = []  # stored now, or stored before and not yet moved
            fresh: dict[int, InboundMessage] = {}
            for uid in sorted(fetched):
                raw, when = fetched[uid]
                message_id = message_ids[uid]
                existing = known.get(keys[uid])
                if existing is not None:  # stored before, or earlier in this batch
                    stats.duplicates += 1
                    if not existing.moved:  # seen again after a rescan: its new UID is the one to move
                        existing.folder, existing.uidvalidity, existing.uid = inbox, uidvalidity, uid
                        touched.append(existing)
                    log.info("duplicate of stored message %s (uid %s): moved, not stored again",
                             log_name_raw(message_id, raw), uid)
                    continue
                row = self._row(raw, when, message_id, uid, uidvalidity, inbox)
                known[keys[uid]] = row
                fresh[uid] = row
            stored, kept = self._insert(session, fresh, stats)
            for row in sorted(stored, key=lambda stored_row: stored_row.uid):  # a stand-in replaces its row
                stats.stored += 1
                touched.append(row)
                log.info("stored %s (uid %s, received %s, %s)", log_name_raw(row.message_id, row.raw), row.uid,
                         row.received_date,
                         row.status)
            self._advance(session, min(kept) - 1 if kept else highest)
            new_ids = [row.id for row in touched]
        return new_ids, [uid for uid in sorted(fetched) if uid not in kept]

    def _insert(self, session: Session, rows: dict[int, InboundMessage],
                stats: IngestStats) -> tuple[set[InboundMessage], set[int]]:
        """The rows now stored (some perhaps as quarantined stand-ins), and the UIDs that could not be stored at all;
        a row in neither was stored by another instance this instant."""
        if not rows:
            return set(), set()
        try:
            with session.begin_nested():
                session.add_all(rows.values())
            return set(rows.values()), set()
        except Exception as exc:  # noqa: BLE001 - a duplicate, or one message the database refuses: one by one
            log.info("storing %d messages together failed (%s): storing them one by one", len(rows),
                     type(exc).__name__)
        stored: set[InboundMessage] = set()
        kept: set[int] = set()
        for uid, row in rows.items():
            try:
                with session.begin_nested():  # another instance may store the same message this instant
                    session.add(row)
                stored.add(row)
                continue
            except IntegrityError as exc:
                if self._stored_meanwhile(session, row.message_id):
                    stats.duplicates += 1
                    log.info("%s was stored by another instance meanwhile", log_name_raw(row.message_id, row.raw))
                    continue
                error: Exception = exc
            except Exception as exc:  # noqa: BLE001 - this message alone is set aside
                error = exc
            stand_in = self._quarantined(row, error)
            try:
                with session.begin_nested():
                    session.add(stand_in)
                stored.add(stand_in)
                continue
            except Exception as exc:  # noqa: BLE001 - unless stored (and quarantined) before, it stays on the server
                if isinstance(exc, IntegrityError) and self._stored_meanwhile(session, stand_in.message_id):
                    stats.duplicates += 1
                    continue
                kept.add(uid)
                log.error("cannot store %s (uid %s): %s; left in the inbox, tried again at the next poll",
                          log_name_raw(row.message_id, row.raw), uid, type(exc).__name__)
        return stored, kept

    def _stored_meanwhile(self, session: Session, message_id: str) -> bool:
        return session.scalar(select(InboundMessage.id).where(
            InboundMessage.mailbox == self.mailbox, InboundMessage.message_id == message_id)) is not None

    @staticmethod
    def _quarantined(row: InboundMessage, error: Exception) -> InboundMessage:
        """A message the database refused as it came: its raw bytes under an id of our own, set aside for staff
        (the quarantine runner copies it to the quarantine folder and tells them), never silently dropped."""
        log.error("could not store %s (uid %s) as received (%s): quarantining it",
                  log_name_raw(row.message_id, row.raw), row.uid, type(error).__name__)
        return InboundMessage(
            mailbox=row.mailbox, message_id=synthetic_id(row.raw), folder=row.folder, uidvalidity=row.uidvalidity,
            uid=row.uid, moved=False, received_at=row.received_at, received_date=row.received_date, raw=row.raw,
            size=row.size, status="quarantined", attempts=1,
            last_error=f"could not be stored as received: {type(error).__name__}: {str(error)[:500]}",
        )

    def _row(self, raw: bytes, when: datetime, message_id: str, uid: int, uidvalidity: int,
             folder: str) -> InboundMessage:
        row = InboundMessage(mailbox=self.mailbox, message_id=message_id, folder=folder, uidvalidity=uidvalidity,
                             uid=uid, moved=False, raw=raw, size=len(raw), status="new")
        if when.tzinfo is None:  # RFC 3501 gives INTERNALDATE an offset: without one the date of receipt is a guess
            when = when.replace(tzinfo=UTC)
            row.status, row.attempts = "quarantined", 1
            row.last_error = "INTERNALDATE came without an offset: read as UTC; check the date of receipt"
            log.error("INTERNALDATE of %s (uid %s) has no offset: quarantined for staff",
                      log_name_raw(message_id, raw), uid)
        row.received_at, row.received_date = when, receipt_date(when)
        return row

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


