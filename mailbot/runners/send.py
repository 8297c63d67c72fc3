"""The outbox runner: sends queued replies over SMTP, on up to `smtp.connections` connections, and records each result.

A reply was committed with its decision, so it exists before any attempt to send it. Each send is bracketed: the
row is marked `sending` (committed; a batch of rows per transaction), the SMTP server accepts it, the row is marked
`sent` in its own commit straight away (that commit is the only window in which a crash could send a reply twice),
and its copy goes to the Sent folder with the next batch of copies (`in_sent` records that it is there; a copy not
made is made by a later run). A row found still `sending` after a crash (or after a failed commit) is looked up in
the Sent folder by Message-ID before it is sent again (sent_copies.py). A temporary failure (4xx, connection refused,
timeout, TLS) leaves it queued with exponential backoff capped at an hour, however long it lasts: only a permanent
refusal (5xx) for its recipient marks it failed for staff (`mailbot requeue --failed` queues it again). Nothing is
dropped. A relay that refuses connections or defers everything is an outage: logged once (faults.OutageLog),
recorded where `mailbot doctor` and the digest show it (outages.py), probed every run while it lasts, and when it
ends everything it held up is due at once.

This is the bot's one way to send: called by the cycle after deciding (service.py), by the digest job and by
`mailbot digest send`, always in the caller's thread. aiosmtplib is driven here and nowhere else, by one
`asyncio.run` per call; several connections take turns in that one event loop, so only the conversations with the
server overlap, never two pieces of database work.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosmtplib
from pydantic import SecretStr
from sqlalchemy import bindparam, select, update

from mailbot.batching import chunks
from mailbot.config import Settings
from mailbot.mailserver import logins, smtp_login
from mailbot.mailserver.imap import tls_context
from mailbot.mailserver.oauth.tokens import TokenSource, TokenUnavailable
from mailbot.mailserver.sentfolder import SentCopy, SentFolder
from mailbot.runners.faults import SMTP_DOWN, SMTP_LOGIN, SMTP_TOKEN_DOWN, OutageLog
from mailbot.runners.outages import RelayOutage
from mailbot.runners.sent_copies import SentCopies
from mailbot.store.db import Database
from mailbot.store.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)
# Rows marked `sending` per transaction. After a crash, every row of the batch not yet recorded `sent` is looked up
# in Sent before it is sent again, so a larger batch costs only a few more searches then.
CLAIM_BATCH = 50

_OUTBOX = OutboxMessage.__table__
_CLAIMABLE = (
    select(_OUTBOX.c.id, _OUTBOX.c.status, _OUTBOX.c.raw, _OUTBOX.c.recipient, _OUTBOX.c.message_id)
    .where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_OUTBOX.c.id)
    .with_for_update()
)
_MARK_SENDING = update(_OUTBOX).where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True))).values(status="sending")
_MARK_SENT = (
    update(_OUTBOX).where(_OUTBOX.c.id == bindparam("row_id"))
    .values(status="sent", sent_at=bindparam("now", type_=_OUTBOX.c.sent_at.type), last_error=None,
            attempts=_OUTBOX.c.attempts + 1)
)


@dataclass(frozen=True)
class Claimed:
    """A row this run marked `sending`, with what it takes to send it."""

    id: int
    raw: bytes
    recipient: str
    message_id: str


@dataclass
class SendStats:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    reconciled: int = 0
    answered: int = 0  # replies the server gave a final answer to (accepted or refused for good)
    unreachable: bool = False  # the relay refused the connection itself (the outage is already recorded)
    login_error: str | None = None  # the relay refused our login (or it is suspended): what to fix, in one line
    last_error: str | None = None


def backoff(settings: Settings, attempts: int) -> timedelta:
    return min(timedelta(seconds=settings.smtp.retry_seconds * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


class Outbox:
    def __init__(self, settings: Settings, db: Database, password: SecretStr | None,
                 sent_folder: SentFolder | None = None, tokens: TokenSource | None = None) -> None:
        """`tokens` logs in by XOAUTH2 (smtp.auth = "oauth2"); otherwise `password`, when smtp.username is set."""
        self.settings = settings
        self.db = db
        self.password = password
        self.tokens = tokens
        self.mailbox = settings.mailbox.address
        self._resend: set[int] = set()
        self.copies = SentCopies(db, sent_folder, self.mailbox)
        # The bot replaces the OutageLog with its own, shared with its other runners.
        self.relay = RelayOutage(db, self.mailbox, OutageLog(log, self.mailbox))

    def due_ids(self, now: datetime) -> list[int]:
        with self.db.session() as session:
            return list(session.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.mailbox == self.mailbox, OutboxMessage.status.in_(("queued", "sending")),
                       OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.id)
            ))

    def send_pending(self, now: Callable[[], datetime],
                     should_stop: Callable[[], bool] = lambda: False) -> SendStats:
        """Send every reply that is due, on up to `smtp.connections` connections. `should_stop` is asked before
        each batch of replies, so a stop request waits for at most one batch; what is left stays queued for the next
        run."""
        stats = SendStats()
        self.copies.begin()
        try:
            self.copies.catch_up()
            ids = self.due_ids(now())
            if not ids and self.relay.should_probe() and asyncio.run(self._probe()):
                self.relay.recovered(now())
                ids = self.due_ids(now())
            if ids:
                ids, self._resend = self._reconcile(ids, now(), stats)
            if ids and not should_stop():
                sent = asyncio.run(self._send(ids, now, should_stop))
                stats.sent, stats.deferred, stats.failed = sent.sent, stats.deferred + sent.deferred, sent.failed
                stats.login_error = sent.login_error
                self.relay.after_run(now(), answered=sent.answered > 0,
                                     all_deferred=bool(sent.deferred) and not sent.unreachable,
                                     last_error=sent.last_error)
        finally:
            self.copies.close()
        if stats.login_error is None and self.relay.login_refused is not None:
            stats.login_error = self.relay.login_refused  # nothing was due this run, but the fault still stands
        return stats

    async def _probe(self) -> bool:
        """Whether the relay takes a connection again; during an outage no reply may be due for up to an hour."""
        client = self._client()
        try:
            await self._connect(client)
            await client.quit()
            return True
        except (aiosmtplib.SMTPException, OSError, logins.LoginRefused):
            client.close()
            return False

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
        found_in_sent: list[int] = []
        for row_id, message_id in interrupted.items():
            found = self.copies.contains(message_id)
            if found is None:
                # Sent is unreadable: sending again could double, waiting cannot lose anything.
                remaining.remove(row_id)
                stats.deferred += 1
                continue
            if found:
                self._record(row_id, now, error=None, permanent=False)
                found_in_sent.append(row_id)
                remaining.remove(row_id)
                stats.reconciled += 1
                log.info("reply %s was sent before an interruption (found in Sent): not sending it again",
                         message_id)
            else:
                resend.add(row_id)
        self.copies.mark(found_in_sent)
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

    async def _connect(self, client: aiosmtplib.SMTP) -> None:
        """Connect and log in (mailserver/smtp_login.py: a refused login raises LoginRefused and is not tried again
        with the same secret for smtp.login_retry_minutes)."""
        await smtp_login.connect(client, self.settings, self.password, self.tokens)

    async def _send(self, ids: list[int], now: Callable[[], datetime], should_stop: Callable[[], bool]) -> SendStats:
        """Send `ids` in batches over up to `smtp.connections` connections; an unreachable server defers them all
        (one try per run is enough)."""
        stats = SendStats()
        clients = [self._client()]
        try:
            try:
                await self._connect(clients[0])
            except logins.LoginRefused as exc:
                # Our login, not the relay, is at fault: nothing is sent until the settings or the secret change
                # (or login_retry_minutes pass); the mail waits in the outbox, the outage is recorded for staff.
                self.relay.failed(now(), exc, str(exc), fault=SMTP_LOGIN)
                self._defer_all(ids, exc, now())
                stats.deferred += len(ids)
                stats.unreachable = True
                stats.login_error = str(exc)
                return stats
            except (aiosmtplib.SMTPException, OSError) as exc:
                fault = SMTP_TOKEN_DOWN if isinstance(exc, TokenUnavailable) else SMTP_DOWN
                self.relay.failed(now(), exc, f"{type(exc).__name__}: {exc}", fault=fault)
                self._defer_all(ids, exc, now())
                stats.deferred += len(ids)
                stats.unreachable = True
                return stats
            wanted = min(self.settings.smtp.connections, len(ids)) - 1
            if wanted > 0:
                clients += await self._more_clients(wanted)
            for batch in chunks(ids, CLAIM_BATCH):
                if should_stop():
                    return stats
                queue = deque(self._claim(batch))
                failures: list[BaseException] = []
                await asyncio.gather(*(self._drain(client, queue, now, stats, failures) for client in clients))
                if failures:
                    # One connection met what _send_one does not handle (the database, say): the others finished
                    # the reply in hand and took no more, as if the process had stopped there.
                    raise failures[0]
        finally:
            try:
                # Whatever was accepted goes to Sent, recorded or not: for a row left `sending` by a failed record,
                # its copy there is what stops a second send.
                self.copies.flush()
            finally:
                for client in clients:
                    if client.is_connected:
                        try:
                            await client.quit()
                        except (aiosmtplib.SMTPException, OSError):
                            client.close()
        return stats

    async def _drain(self, client: aiosmtplib.SMTP, queue: deque[Claimed], now: Callable[[], datetime],
                     stats: SendStats, failures: list[BaseException]) -> None:
        """Send from the shared queue until it is empty or a connection has failed. The database work in _send_one
        runs between awaits, one coroutine at a time: only the conversations with the server overlap."""
        while queue and not failures:
            try:
                await self._send_one(client, queue.popleft(), now(), stats)
            except BaseException as exc:  # noqa: BLE001 - handed to _send, which raises it once the others stop
                failures.append(exc)

    async def _more_clients(self, count: int) -> list[aiosmtplib.SMTP]:
        """Extra connections beside the first, each best effort: one the server refuses means fewer at once."""
        clients = [self._client() for _ in range(count)]
        results = await asyncio.gather(*(self._connect(client) for client in clients), return_exceptions=True)
        opened = [client for client, result in zip(clients, results, strict=True) if result is None]
        for client, result in zip(clients, results, strict=True):
            if result is not None:
                client.close()
                log.info("SMTP server refused an extra connection (%s): sending on %d", type(result).__name__,
                         len(opened) + 1)
        return opened

    def _claim(self, batch: list[int]) -> list[Claimed]:
        """Mark a batch `sending` in one transaction: the rows still queued, and interrupted ones that Sent showed
        never went out. The rest were sent meanwhile or are being sent by another instance (whose lock we wait
        for)."""
        with self.db.engine.begin() as conn:
            rows = [Claimed(row.id, row.raw, row.recipient, row.message_id)
                    for row in conn.execute(_CLAIMABLE, {"ids": batch})
                    if row.status == "queued" or (row.status == "sending" and row.id in self._resend)]
            if rows:
                conn.execute(_MARK_SENDING, {"ids": [row.id for row in rows]})
        return rows

    async def _send_one(self, client: aiosmtplib.SMTP, row: Claimed, now: datetime, stats: SendStats) -> None:
        row_id, message_id = row.id, row.message_id
        try:
            await client.sendmail(self.mailbox, [row.recipient], row.raw)
        except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused) as exc:
            # Our replies have one recipient, so a refused-recipients error carries exactly one response.
            response = exc.recipients[0] if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) else exc
            permanent = 500 <= response.code < 600
            self._record(row_id, now, error=f"{response.code} {response.message}", permanent=permanent)
            if permanent:
                stats.failed += 1
                stats.answered += 1
                log.error("reply %s refused permanently (%s): shown to staff", message_id, response.code)
            else:
                stats.deferred += 1
                stats.last_error = f"{response.code} {response.message}"[:300]
                log.log(self.relay.deferral_level(), "reply %s deferred (%s)", message_id, response.code)
            return
        except UnicodeError as exc:
            # An address the SMTP conversation cannot carry (non-ASCII, no SMTPUTF8): no retry can send it, and it
            # must not stop the other replies. The transaction is reset so the connection stays usable.
            self._record(row_id, now, error=f"address cannot be sent over SMTP: {type(exc).__name__}", permanent=True)
            stats.failed += 1
            stats.answered += 1
            log.error("reply %s: its address cannot be sent over SMTP: shown to staff", message_id)
            try:
                await client.rset()
            except (aiosmtplib.SMTPException, OSError):
                pass
            return
        except (aiosmtplib.SMTPException, OSError) as exc:
            self._record(row_id, now, error=type(exc).__name__, permanent=False)
            stats.deferred += 1
            stats.last_error = type(exc).__name__
            log.log(self.relay.deferral_level(), "reply %s deferred (%s)", message_id, type(exc).__name__)
            return
        # The server has it. Queued for Sent before the record is tried: if the record fails, _send's `finally`
        # still files the reply in Sent, which is what then stops a second send of a row left `sending`.
        self.copies.add(row_id, SentCopy(message_id, row.raw, now))
        self._record(row_id, now, error=None, permanent=False)
        stats.sent += 1
        stats.answered += 1
        log.info("sent reply %s", message_id)

    def _record(self, row_id: int, now: datetime, *, error: str | None, permanent: bool) -> None:
        if error is None:  # one statement, one commit: this is the record that stops a second send
            with self.db.engine.begin() as conn:
                conn.execute(_MARK_SENT, {"row_id": row_id, "now": now})
            return
        with self.db.session() as session:
            row = session.get(OutboxMessage, row_id)
            if row is None:
                return
            row.attempts += 1
            row.last_error = error[:500]
            # Only the server's permanent refusal fails a reply: a count of temporary failures says how long an
            # outage lasted, not that the reply can never go (a weekend without a relay used to fail them all).
            if permanent:
                row.status = "failed"
            else:
                row.status = "queued"
                row.next_attempt_at = now + backoff(self.settings, row.attempts)

    def _defer_all(self, ids: list[int], exc: BaseException, now: datetime) -> None:
        for row_id in ids:
            self._record(row_id, now, error=f"server unavailable: {type(exc).__name__}: {exc}", permanent=False)
