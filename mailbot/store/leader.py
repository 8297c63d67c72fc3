"""Which instance runs the scheduled jobs: the one holding the lock.

Several `mailbot run` processes may serve one mailbox (for availability). APScheduler 3 job stores must not be
shared between running schedulers, so every instance keeps its own schedule but does the work only while it holds
the mailbox's lock: a PostgreSQL session-level advisory lock (released by the server the moment its holder's
connection dies, so a killed leader is replaced within one poll interval), or, on SQLite, an exclusive lock on a
file beside the database. Every job is idempotent anyway; the lock keeps them from running twice at once.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Protocol

import filelock
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from mailbot.store.db import Database

log = logging.getLogger(__name__)


class Leadership(Protocol):
    def acquire(self) -> bool: ...

    def release(self) -> None: ...


def lock_key(mailbox: str) -> int:
    """A stable signed 64-bit key per mailbox, for pg_try_advisory_lock."""
    digest = hashlib.sha256(f"mailbot:{mailbox.lower()}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class AdvisoryLock:
    """A PostgreSQL advisory lock held on a connection of its own for as long as we lead."""

    def __init__(self, db: Database, mailbox: str) -> None:
        self.db = db
        self.key = lock_key(mailbox)
        self._conn: Connection | None = None

    def acquire(self) -> bool:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))  # still connected, so still holding it
                return True
            except Exception:  # noqa: BLE001 - the connection died: the server has released the lock
                log.warning("lost the connection that held the leader lock")
                self._drop()
        conn = self.db.engine.connect()
        try:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar())
            conn.commit()
        except Exception:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        log.info("this instance now runs the scheduled jobs (advisory lock %d)", self.key)
        return True

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.invalidate()
                self._conn.close()
            except Exception:  # noqa: BLE001
                pass
            self._conn = None

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
                self._conn.commit()
            except Exception:  # noqa: BLE001 - closing releases it anyway
                pass
            self._conn.close()
            self._conn = None


class FileLock:
    """For SQLite: an exclusive flock on a file beside the database, tried without waiting (the kernel releases it
    if we die). One lock shared by every thread: the scheduler's jobs take it in whichever worker thread they run,
    and shutdown releases it from the main thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = filelock.UnixFileLock(str(path), thread_local=False, mode=0o600)  # beside the data: private

    def acquire(self) -> bool:
        if self._lock.is_locked:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire(blocking=False)
        except filelock.Timeout:
            return False
        return True

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)


def leadership_for(db: Database, mailbox: str) -> Leadership:
    if db.is_postgresql:
        return AdvisoryLock(db, mailbox)
    database = make_url(db.url).database or "mailbot.db"
    safe = hashlib.sha256(mailbox.lower().encode()).hexdigest()[:12]
    return FileLock(Path(database).resolve().with_name(f".mailbot-leader-{safe}.lock"))
