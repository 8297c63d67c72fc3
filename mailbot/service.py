"""The running bot: one cycle is poll → decide → send, and the scheduler repeats it.

One process, one step after another: the cycle decides everything that is new, then sends the outbox, in the
scheduler's thread. At a mailbox's volume (tens of messages a day, a few thousand after an outage) running sending
beside deciding gained nothing a person would notice and cost a second process (docs/operations.md, "How fast").

A cycle is idempotent (every step skips what is already done), so the scheduler may run it at any moment, after
any crash, and `mailbot run --once` is exactly one of them. The staff digest is a second job: at the configured
time on working days, and once at start-up to catch up on one missed while the bot was down (the digest's own
watermark makes a repeat impossible). The retention schedule is a third: once a day, the leader disposes of what
is due and removes the server copies (runners/retention.py).

Each step of a cycle is guarded on its own: a database that is down, a full disk or an unreachable IMAP server
(runners.faults.classify) is logged once when it starts, with its traceback, and once when it recovers — never as
the fault of the message in hand, and never once per cycle.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from pydantic import SecretStr
from sqlalchemy import select

from mailbot.clock.workdays import LONDON
from mailbot.config import ConfigError, Settings, as_secret
from mailbot.mailserver.idle import IdleWatcher
from mailbot.mailserver.imap import Credential, ImapConnection
from mailbot.mailserver.logins import LoginRefused, LoginSuspended
from mailbot.mailserver.oauth import TokenSource, token_source
from mailbot.mailserver.sentfolder import SentFolder
from mailbot.replies.templates import Templates
from mailbot.runners.alerts import notify_staff
from mailbot.runners.decide import Processor, ProcessStats
from mailbot.runners.digest import DigestOutcome, DigestRunner
from mailbot.runners.faults import DATABASE_DOWN, Component, classify
from mailbot.runners.ingest import Ingest, IngestStats
from mailbot.runners.outage_notice import file_outage_notice
from mailbot.runners.outages import CycleFaults
from mailbot.runners.quarantine import Quarantine
from mailbot.runners.retention import Retention, RetentionOutcome
from mailbot.runners.send import Outbox, SendStats
from mailbot.store.db import Database
from mailbot.store.leader import leadership_for
from mailbot.store.models import OutboxMessage

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _secret_hint(settings: Settings, key: str) -> str:
    names = [f"MAILBOT_{key.upper()}"]
    if settings.mailbox_name != "default":
        names.insert(0, f"MAILBOT_{settings.mailbox_name.replace('-', '_').upper()}_{key.upper()}")
    return " or ".join(f"{n} (or {n}_FILE)" for n in names)


@dataclass
class CycleStats:
    ingest: IngestStats = field(default_factory=IngestStats)
    process: ProcessStats = field(default_factory=ProcessStats)
    send: SendStats = field(default_factory=SendStats)
    imap_error: str | None = None
    smtp_error: str | None = None  # the relay refused our login: what to fix, in one line


class Bot:
    """Everything one mailbox needs, built once from settings."""

    def __init__(self, settings: Settings, *, db: Database | None = None, clock: Callable[[], datetime] = utc_now,
                 imap_password: SecretStr | str | None = None, smtp_password: SecretStr | str | None = None,
                 tokens: TokenSource | None = None) -> None:
        """The passwords, if not given (the demo and the tests give them), come from the environment."""
        self.settings = settings
        self.clock = clock
        self.db = db or Database(settings.database_url)
        self.templates = Templates.from_settings(settings)
        # With OAuth (imap.auth or smtp.auth = "oauth2") one token source serves both; tests may hand one in.
        self.tokens: TokenSource | None = tokens or (token_source(settings) if settings.uses_oauth2 else None)
        self._tokens_from_settings = tokens is None and self.tokens is not None
        self.imap_password: Credential
        if settings.imap.auth == "oauth2":
            assert self.tokens is not None
            self.imap_password = self.tokens
            self._imap_from_settings = False
        else:
            imap_secret = as_secret(imap_password) if imap_password is not None else settings.secret("imap_password")
            if imap_secret is None:
                raise ConfigError(_secret_hint(settings, "imap_password") + " is not set")
            self.imap_password = imap_secret
            self._imap_from_settings = imap_password is None  # re-read each poll: a rotated secret is used at once
        smtp_secret = as_secret(smtp_password) if smtp_password is not None else settings.secret("smtp_password")
        if settings.smtp.auth == "password" and settings.smtp.username and smtp_secret is None:
            raise ConfigError(f"smtp.username is set but {_secret_hint(settings, 'smtp_password')} is not")
        self._smtp_from_settings = smtp_password is None
        self.ingest = Ingest(settings, self.db)
        self.processor = Processor(settings, self.db, self.templates)
        self.outbox = Outbox(settings, self.db, smtp_secret, SentFolder(settings, self.imap_password),
                             tokens=self.tokens if settings.smtp.auth == "oauth2" else None)
        self.digest = DigestRunner(settings, self.db, self.templates)
        self.quarantine = Quarantine(settings, self.db, self.templates)
        self.retention = Retention(settings, self.db)
        self.leader = leadership_for(self.db, settings.mailbox.address)
        self.faults = CycleFaults(self.db, settings.mailbox.address, clock, log)
        self.outbox.relay.log = self.faults.log  # one outage log per bot, whichever step meets the outage
        self._stop = threading.Event()
        self._cycle_lock = threading.Lock()
        self._wake = threading.Event()

    def request_stop(self) -> None:
        self._stop.set()
        self.templates.interrupt()  # an admin template's render in hand is abandoned, not waited out

    def close(self) -> None:
        """Release the scheduler lock (its connection would otherwise outlive the engine) and the engine."""
        self.leader.release()
        self.db.dispose()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def refresh_secrets(self) -> None:
        """Re-read the secrets from the environment or their files: a rotated secret is used at the next cycle,
        with no restart (and, being new, is tried at once even after the old one was refused)."""
        if self._imap_from_settings and isinstance(self.imap_password, SecretStr):
            fresh = self.settings.secret("imap_password")
            if fresh is not None and fresh.get_secret_value() != self.imap_password.get_secret_value():
                log.info("the IMAP password of %s changed: using the new one", self.settings.mailbox.address)
                self._use_imap(fresh)
        if self._smtp_from_settings and self.settings.smtp.auth == "password":
            fresh = self.settings.secret("smtp_password")
            old = self.outbox.password
            if fresh is not None and (old is None or fresh.get_secret_value() != old.get_secret_value()):
                self.outbox.password = fresh
        if self._tokens_from_settings and self.tokens is not None:
            try:
                tokens = token_source(self.settings)
            except ConfigError as exc:
                log.warning("the OAuth credential of %s cannot be read (%s): keeping the one in use",
                            self.settings.mailbox.address, exc)
                return
            if tokens.key != self.tokens.key:
                log.info("the OAuth credential of %s changed: using the new one", self.settings.mailbox.address)
                self.tokens = tokens
                if self.settings.imap.auth == "oauth2":
                    self._use_imap(tokens)
                if self.settings.smtp.auth == "oauth2":
                    self.outbox.tokens = tokens

    def _use_imap(self, credential: Credential) -> None:
        self.imap_password = credential
        self.outbox.copies.use_password(credential)

    def poll(self) -> IngestStats:
        with ImapConnection(self.settings.imap, self.settings.imap_username, self.imap_password) as conn:
            stats = self.ingest.poll(conn)
            self.quarantine.flush(conn, self.clock)  # what the last cycle gave up on
            return stats

    def cycle(self) -> CycleStats:
        stats = CycleStats()
        failed: set[Component | None] = set()
        self.refresh_secrets()
        try:
            stats.ingest = self.poll()
        except Exception as exc:  # noqa: BLE001 - a mailbox outage must not stop sending what is queued
            stats.imap_error = str(exc) if isinstance(exc, LoginRefused) else f"{type(exc).__name__}: {exc}"
            failed.add(self.faults.failed(exc, Component.IMAP, "IMAP poll failed"))
            if isinstance(exc, LoginRefused) and not isinstance(exc, LoginSuspended):
                self._login_refused_notice(str(exc))
        else:
            self.faults.succeeded("IMAP poll failed", Component.IMAP)
        if not failed & {Component.DATABASE, Component.DISK}:
            try:
                stats.process = self.processor.run(self.clock, lambda: self.stopping)
                self.faults.succeeded("deciding failed")
            except Exception as exc:  # noqa: BLE001 - the database or disk: sending what is queued may still work
                failed.add(self.faults.failed(exc, None, "deciding failed"))
        try:
            stats.send = self.outbox.send_pending(self.clock, should_stop=lambda: self.stopping)
            stats.smtp_error = stats.send.login_error
            if stats.smtp_error and stats.imap_error and stats.smtp_error.startswith(
                    stats.imap_error.split(" (not tried again")[0]):
                stats.smtp_error = None  # one OAuth credential refused for both: said once, by the IMAP line
            if not self.stopping:
                self._report_refused()
            self.faults.succeeded("sending failed")
        except Exception as exc:  # noqa: BLE001 - the next cycle tries again
            failed.add(self.faults.failed(exc, None, "sending failed"))
        opened = self.outbox.relay.take_opened()
        if opened is not None:  # a notice mailed through the dead relay would wait behind it: file it over IMAP
            file_outage_notice(self.settings, self.templates, self.imap_password, opened, self.clock())
        self.faults.succeeded("", *(c for c in (Component.DATABASE, Component.DISK) if c not in failed))
        log.info("cycle: fetched %d, stored %d, decided %d, queued %d, sent %d, deferred %d, failed %d",
                 stats.ingest.fetched, stats.ingest.stored, stats.process.decided, stats.process.replies_queued,
                 stats.send.sent, stats.send.deferred, stats.send.failed + stats.process.failed)
        return stats

    def _login_refused_notice(self, message: str) -> None:
        """Staff are told by mail (the relay still works when the IMAP login does not), at most once a day."""
        try:
            with self.db.session() as session:
                notify_staff(session, self.settings, self.templates, key=f"imap-login:{self.settings.imap.host}",
                             title=f"the mailbox {self.settings.mailbox.address} cannot be read: its login is refused",
                             lines=[message, "No new mail is read or answered until this is fixed; mailbot tries "
                                    f"the same credentials again after {self.settings.imap.login_retry_minutes} "
                                    "minutes and changed ones at once. `mailbot doctor` shows it too."],
                             now=self.clock())
        except Exception as exc:  # noqa: BLE001 - the notice is for staff; the cycle goes on without it
            log.warning("could not queue the staff notice about the refused login (%s)", type(exc).__name__)

    def _report_refused(self) -> None:
        """Replies the mail server refused for good (a 5xx for their recipient): staff are told once each."""
        since = self.clock() - timedelta(days=7)
        with self.db.session() as session:
            refused = session.scalars(select(OutboxMessage).where(
                OutboxMessage.mailbox == self.settings.mailbox.address, OutboxMessage.status == "failed",
                OutboxMessage.inbound_id.is_not(None), OutboxMessage.created_at >= since)).all()
            for row in refused:
                notify_staff(session, self.settings, self.templates, key=f"undeliverable:{row.message_id}",
                             title="a reply could not be delivered", once_ever=True, now=self.clock(),
                             lines=[f"The mail server said: {row.last_error}",
                                    f"Reply {row.message_id} ({row.template}) to the message named below was not "
                                    "sent; the requester may need another way of being reached."],
                             message_id=row.in_reply_to)

    def lead(self) -> bool:
        """Whether this instance may run the scheduled jobs now (it holds the mailbox's lock)."""
        try:
            return self.leader.acquire()
        except Exception as exc:  # noqa: BLE001 - no database, no leadership: try again at the next tick
            self.faults.log.failed(classify(exc) or DATABASE_DOWN, exc, self.clock(),
                                   f"cannot take the scheduler lock: {type(exc).__name__}")
            return False

    def digest_job(self) -> DigestOutcome | None:
        """Issue today's digest if it is due and not yet issued, then send it; a failure waits for the next run."""
        with self._cycle_lock:  # never alongside a cycle: one sender of the outbox at a time
            if self.stopping or not self.lead():
                return None
            try:
                outcome = self.digest.issue(self.clock(), scheduled=True)
            except Exception as exc:  # noqa: BLE001 - the digest must never stop the mailbox being answered
                self.faults.failed(exc, None, "digest failed; will retry at the next start or digest time")
                return None
            if outcome.issued:
                self.outbox.send_pending(self.clock)
            else:
                log.debug("digest not issued: %s", outcome.reason)
            return outcome

    def retention_job(self) -> RetentionOutcome | None:
        """Dispose of what the schedule says is due, then the server copies; a failure waits for tomorrow."""
        with self._cycle_lock:  # never alongside a cycle: the copies it removes are in folders a cycle fills
            if self.stopping or not self.lead():
                return None
            try:
                return self.retention.run(self.clock(), self._imap)
            except Exception as exc:  # noqa: BLE001 - retention must never stop the mailbox being answered
                self.faults.failed(exc, None, "retention job failed; will retry tomorrow")
                return None

    def _imap(self) -> ImapConnection:
        return ImapConnection(self.settings.imap, self.settings.imap_username, self.imap_password)

    @property
    def job_suffix(self) -> str:
        return "" if self.settings.mailbox_name == "default" else f":{self.settings.mailbox_name}"

    def add_jobs(self, scheduler: BlockingScheduler, after_cycle: Callable[[CycleStats], None] | None = None) -> None:
        """The poll cycle every N seconds and, when anyone is to receive it, the digest at its time of day."""
        scheduler.add_job(self._scheduled_cycle, "interval", args=[after_cycle],
                          seconds=self.settings.schedule.poll_seconds, id=f"cycle{self.job_suffix}",
                          max_instances=1, coalesce=True, next_run_time=datetime.now(UTC))
        if self.settings.digest_recipients:
            hour, minute = self.settings.digest.hour_minute
            # Weekends are left out here; bank holidays (any UK nation) by DigestRunner.is_due on the calendar.
            scheduler.add_job(self.digest_job, CronTrigger(day_of_week="mon-fri", hour=hour, minute=minute,
                                                           timezone=LONDON),
                              id=f"digest{self.job_suffix}", max_instances=1, coalesce=True, misfire_grace_time=None,
                              next_run_time=datetime.now(UTC))
        else:
            log.info("no digest.recipients or staff.recipients for %s: the staff digest is off",
                     self.settings.mailbox.address)
        hour, minute = self.settings.retention.hour_minute
        scheduler.add_job(self.retention_job, CronTrigger(hour=hour, minute=minute, timezone=LONDON),
                          id=f"retention{self.job_suffix}", max_instances=1, coalesce=True, misfire_grace_time=3600)

    def build_scheduler(self, after_cycle: Callable[[CycleStats], None] | None = None) -> BlockingScheduler:
        scheduler = BlockingScheduler(timezone="Europe/London")
        self.add_jobs(scheduler, after_cycle)
        return scheduler

    def wake(self, scheduler: BlockingScheduler) -> None:
        """New mail: run a cycle now rather than at the next poll (or right after the one in hand)."""
        self._wake.set()
        try:
            scheduler.modify_job(f"cycle{self.job_suffix}", next_run_time=datetime.now(UTC))
        except Exception:  # noqa: BLE001 - scheduler not yet running or shutting down: the poll covers it
            pass

    def run_forever(self, after_cycle: Callable[[CycleStats], None] | None = None) -> None:
        run_forever([self], after_cycle)

    def _scheduled_cycle(self, after_cycle: Callable[[CycleStats], None] | None) -> None:
        with self._cycle_lock:
            if self.stopping or not self.lead():
                return
            self._wake.clear()
            stats = self.cycle()
            if after_cycle is not None:
                after_cycle(stats)
            while self._wake.is_set() and not self.stopping:  # mail arrived during the cycle
                self._wake.clear()
                stats = self.cycle()
                if after_cycle is not None:
                    after_cycle(stats)

    def _wait_for_cycle(self) -> None:
        with self._cycle_lock:
            pass


def run_forever(bots: list[Bot], after_cycle: Callable[[CycleStats], None] | None = None) -> None:
    """Serve every mailbox until SIGINT/SIGTERM; a signal lets the message in hand finish first.

    One scheduler carries every mailbox's jobs; each mailbox has its own IDLE watcher and its own leader lock.
    """
    scheduler = BlockingScheduler(timezone="Europe/London")
    for bot in bots:
        bot.add_jobs(scheduler, after_cycle)

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("received signal %d: stopping after the message in hand", signum)
        for bot in bots:
            bot.request_stop()
        scheduler.shutdown(wait=False)

    def waker(bot: Bot) -> Callable[[], None]:
        return lambda: bot.wake(scheduler)

    watchers = [IdleWatcher(bot.settings, bot.imap_password, waker(bot)) for bot in bots if bot.settings.imap.idle]
    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    for bot in bots:
        log.info("mailbot running for %s: polling every %ds%s", bot.settings.mailbox.address,
                 bot.settings.schedule.poll_seconds,
                 ", IMAP IDLE where the server has it" if bot.settings.imap.idle else "")
    try:
        for watcher in watchers:
            watcher.start()
        scheduler.start()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for watcher in watchers:
            watcher.stop()
        for bot in bots:
            bot._wait_for_cycle()
            bot.leader.release()
            bot.close()
        log.info("mailbot stopped")
