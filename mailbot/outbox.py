"""The outbox runner: sends queued replies over SMTP, one reused connection per run, and records each result.

A reply was committed with its decision, so it exists before any attempt to send it. Each send is bracketed:
the row is marked `sending` (committed), the SMTP server accepts it, the row is marked `sent` and a copy goes to
the Sent folder. A row found still `sending` after a crash (or after a failed commit) is looked up in the Sent
folder by Message-ID before it is sent again (sentfolder.py). A temporary failure (4xx, connection refused, timeout, TLS) leaves it queued
with exponential backoff; a permanent one (5xx) marks it failed for staff. Nothing is dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosmtplib
from sqlalchemy import select

from mailbot.config import Settings
from mailbot.imap import tls_context
from mailbot.sentfolder import SentFolder
from mailbot.store.db import Database
from mailbot.store.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)


@dataclass
class SendStats:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    reconciled: int = 0


def backoff(settings: Settings, attempts: int) -> timedelta:
    return min(timedelta(seconds=settings.smtp.retry_seconds * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


class Outbox:
    def __init__(self, settings: Settings, db: Database, password: str | None,
                 sent_folder: SentFolder | None = None) -> None:
        self.settings = settings
        self.db = db
        self.password = password
        self.sent_folder = sent_folder
        self.mailbox = settings.mailbox.address
        self._resend: set[int] = set()

    def due_ids(self, now: datetime) -> list[int]:
        with self.db.session() as session:
            return list(session.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.mailbox == self.mailbox, OutboxMessage.status.in_(("queued", "sending")),
                       OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.id)
            ))

    def send_pending(self, now: Callable[[], datetime]) -> SendStats:
        ids = self.due_ids(now())
        if not ids:
            return SendStats()
        stats = SendStats()
        ids, self._resend = self._reconcile(ids, now(), stats)
        if ids:
            sent = asyncio.run(self._send(ids, now))
            stats.sent, stats.deferred, stats.failed = sent.sent, sent.deferred, sent.failed
        if self.sent_folder is not None:
            self.sent_folder.close()
        return stats

    def _reconcile(self, ids: list[int], now: datetime, stats: SendStats) -> tuple[list[int], set[int]]:
        """Rows left `sending` by a crash: if the Sent folder has them, they went out — record, do not resend.

        Returns the ids still to send, and which of them are interrupted rows confirmed absent from Sent (the only
        `sending` rows this run may send again).
        """
        with self.db.session() as session:
            interrupted = dict(session.execute(select(OutboxMessage.id, OutboxMessage.message_id).where(
                OutboxMessage.id.in_(ids), OutboxMessage.status == "sending")).all())
        if not interrupted:
            return ids, set()
        remaining = list(ids)
        resend: set[int] = set()
        for row_id, message_id in interrupted.items():
            found = self.sent_folder.contains(message_id) if self.sent_folder is not None else False
            if found is None:
                # Sent is unreadable: sending again could double, waiting cannot lose anything.
                remaining.remove(row_id)
                stats.deferred += 1
                continue
            if found:
                self._record(row_id, now, error=None, permanent=False)
                remaining.remove(row_id)
                stats.reconciled += 1
                log.info("reply %s was sent before an interruption (found in Sent): not sending it again",
                         message_id)
            else:
                resend.add(row_id)
        return remaining, resend

    def _client(self) -> aiosmtplib.SMTP:
        smtp = self.settings.smtp
        context = tls_context(smtp.verify_certificates, smtp.ca_file)
        return aiosmtplib.SMTP(
            hostname=smtp.host, port=smtp.port, timeout=smtp.timeout_seconds,
            use_tls=smtp.security == "tls", start_tls=smtp.security == "starttls",
            tls_context=context if smtp.security != "none" else None,
            validate_certs=smtp.verify_certificates,
        )

    async def _send(self, ids: list[int], now: Callable[[], datetime]) -> SendStats:
        stats = SendStats()
        client = self._client()
        try:
            await client.connect()
            if self.settings.smtp.username:
                await client.login(self.settings.smtp.username, self.password or "")
        except (aiosmtplib.SMTPException, OSError) as exc:
            log.warning("SMTP server unavailable (%s: %s): %d replies stay queued", type(exc).__name__, exc, len(ids))
            self._defer_all(ids, exc, now())
            stats.deferred += len(ids)
            return stats
        try:
            for row_id in ids:
                await self._send_one(client, row_id, now(), stats)
        finally:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()
        return stats

    async def _send_one(self, client: aiosmtplib.SMTP, row_id: int, now: datetime, stats: SendStats) -> None:
        with self.db.session() as session:
            row = session.get(OutboxMessage, row_id, with_for_update=True)
            if row is None or not (row.status == "queued" or (row.status == "sending" and row_id in self._resend)):
                return  # sent meanwhile, or being sent by another instance
            row.status = "sending"  # committed before the server sees it: a crash from here on is reconciled
            raw, recipient, message_id = row.raw, row.recipient, row.message_id
        try:
            await client.sendmail(self.mailbox, [recipient], raw)
        except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused) as exc:
            # Our replies have one recipient, so a refused-recipients error carries exactly one response.
            response = exc.recipients[0] if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) else exc
            permanent = 500 <= response.code < 600
            self._record(row_id, now, error=f"{response.code} {response.message}", permanent=permanent)
            if permanent:
                stats.failed += 1
                log.error("reply %s refused permanently (%s): shown to staff", message_id, response.code)
            else:
                stats.deferred += 1
                log.warning("reply %s deferred (%s)", message_id, response.code)
            return
        except (aiosmtplib.SMTPException, OSError) as exc:
            self._record(row_id, now, error=type(exc).__name__, permanent=False)
            stats.deferred += 1
            log.warning("reply %s deferred (%s)", message_id, type(exc).__name__)
            return
        # The server has it: the fastest durable record comes first, to keep the window in which a crash could
        # lead to a second copy as short as one local commit; the Sent copy follows as the second record.
        try:
            self._record(row_id, now, error=None, permanent=False)
        finally:
            if self.sent_folder is not None:
                self.sent_folder.append(raw, now, message_id)
        stats.sent += 1
        log.info("sent reply %s", message_id)

    def _record(self, row_id: int, now: datetime, *, error: str | None, permanent: bool) -> None:
        with self.db.session() as session:
            row = session.get(OutboxMessage, row_id)
            if row is None:
                return
            row.attempts += 1
            if error is None:
                row.status, row.sent_at, row.last_error = "sent", now, None
                return
            row.last_error = error[:500]
            if permanent or row.attempts >= self.settings.smtp.max_attempts:
                row.status = "failed"
            else:
                row.status = "queued"
                row.next_attempt_at = now + backoff(self.settings, row.attempts)

    def _defer_all(self, ids: list[int], exc: BaseException, now: datetime) -> None:
        for row_id in ids:
            self._record(row_id, now, error=f"server unavailable: {type(exc).__name__}: {exc}", permanent=False)
