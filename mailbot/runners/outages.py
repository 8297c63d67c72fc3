"""Outages staff can see without the broken part: a row in `staff_alerts` per outage of the mail relay (or IMAP).

A notice mailed about a dead relay goes through that relay, so it arrives — if ever — after the outage. What staff
need is a record that does not depend on it: the row is written while the outage lasts (`mailbot doctor` shows
it at once) and, with its duration, lands in the next digest (whose alerts are `staff_alerts` rows). An open
outage has the key `outage:<component>`; when it ends the key gains the time it started, so the next outage opens
a row of its own and the closed one keeps its history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailbot.clock.workdays import LONDON
from mailbot.mailserver.logins import LoginRefused
from mailbot.runners.faults import SMTP_DOWN, Component, Fault, OutageLog, classify
from mailbot.store.db import Database
from mailbot.store.models import OutboxMessage, StaffAlert

PREFIX = "outage:"


def open_key(component: Component) -> str:
    return f"{PREFIX}{component}"


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def note_outage(db: Database, mailbox: str, fault: Fault, detail: str, now: datetime) -> bool:
    """Open the outage's row, or count one more failure on the row already open (after a restart too); True when
    this opened it."""
    with db.session() as session:
        row = session.scalars(select(StaffAlert).where(StaffAlert.mailbox == mailbox,
                                                       StaffAlert.key == open_key(fault.component))).first()
        if row is not None:
            row.occurrences += 1
            row.last_at = now
            return False
        start = _as_utc(now)
        row = StaffAlert(mailbox=mailbox, key=open_key(fault.component), day=start.astimezone(LONDON).date(),
                         detail=f"{fault} since {start:%Y-%m-%d %H:%M} UTC ({detail[:600]}); "
                                + ("new mail waits on the mail server and is answered when it is back"
                                   if fault.component is Component.IMAP
                                   else "mail waits in the outbox and goes when it is back"),
                         occurrences=1, first_at=now, last_at=now, message_ids=[])
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            return False  # another instance opened it this very day
        return True


def end_outage(db: Database, mailbox: str, component: Component, now: datetime) -> bool:
    """Close the open outage of `component`, if any; True when there was one."""
    with db.session() as session:
        rows = session.scalars(select(StaffAlert).where(StaffAlert.mailbox == mailbox,
                                                        StaffAlert.key == open_key(component))).all()
        for row in rows:
            started = _as_utc(row.first_at)
            row.key = f"{open_key(component)}:{started:%Y%m%dT%H%M%S}"
            row.detail = f"{row.detail}; recovered {_as_utc(now):%Y-%m-%d %H:%M} UTC"[:2000]
            row.last_at = now
        return bool(rows)


def open_outages(session: Session, mailbox: str) -> Sequence[StaffAlert]:
    """Outages not yet over, for `mailbot doctor`."""
    keys = [open_key(component) for component in Component]
    return session.scalars(select(StaffAlert).where(StaffAlert.mailbox == mailbox, StaffAlert.key.in_(keys))
                           .order_by(StaffAlert.first_at)).all()


class RelayOutage:
    """The outbox's view of the relay: logged once per outage, recorded for staff, ended by the first answer."""

    # A run in which every reply was deferred (4xx) may be one recipient's greylisting; the second in a row is not.
    DEFERRED_RUNS = 2

    def __init__(self, db: Database, mailbox: str, log: OutageLog) -> None:
        self.db, self.mailbox, self.log = db, mailbox, log
        self.unreachable = False
        self._deferred_runs = 0
        self._opened: str | None = None  # what the relay said, when this run recorded the start of an outage
        self.login_refused: str | None = None  # while our login is refused: what to fix, said every run
        self._record_checked = False

    def should_probe(self) -> bool:
        """Whether a connection alone would show the outage over: it was the connection that failed (or, after
        a restart, we do not know what failed). A relay that defers everything is over when it accepts a reply."""
        if self.log.is_open(Component.SMTP):
            return self.unreachable
        if self._record_checked:
            return False
        with self.db.session() as session:  # after a restart, the record is what remembers the outage
            recorded = session.scalars(select(StaffAlert.id).where(
                StaffAlert.mailbox == self.mailbox, StaffAlert.key == open_key(Component.SMTP))).first() is not None
        self._record_checked = not recorded  # none recorded: from now on this process knows of any outage itself
        return recorded

    def deferral_level(self) -> int:
        """Each deferred reply is news while the relay otherwise works; during an outage the outage is the line."""
        return logging.DEBUG if self.log.is_open(Component.SMTP) else logging.WARNING

    def after_run(self, now: datetime, *, answered: bool, all_deferred: bool, last_error: str | None) -> None:
        """A reply accepted or refused for good ends an outage; a run that only met deferrals may start one."""
        if answered:
            self.recovered(now)
        elif all_deferred:
            self.failed(now, None, f"every reply deferred: {last_error}")

    def failed(self, now: datetime, exc: BaseException | None, detail: str, fault: Fault = SMTP_DOWN) -> None:
        """The relay refused the connection (`exc`), or deferred every reply of a run (None), or refused our login
        (`fault` faults.SMTP_LOGIN)."""
        if exc is None:
            self._deferred_runs += 1
            if self._deferred_runs < self.DEFERRED_RUNS and not self.log.is_open(Component.SMTP):
                return
        self.unreachable = exc is not None
        if fault.what.endswith("login refused"):
            self.login_refused = detail
        self.log.failed(fault, exc, now, detail)
        if note_outage(self.db, self.mailbox, fault, detail, now):
            self._opened = detail

    def take_opened(self) -> str | None:
        """What the relay said, once, if an outage was recorded as starting since the last call."""
        opened, self._opened = self._opened, None
        return opened

    def recovered(self, now: datetime) -> None:
        """Close the outage and make everything it held up due now, rather than at its backoff (up to an hour)."""
        self._deferred_runs = 0
        self.login_refused = None
        self.log.ok(Component.SMTP, now)
        if end_outage(self.db, self.mailbox, Component.SMTP, now):
            table = OutboxMessage.__table__
            with self.db.engine.begin() as conn:
                conn.execute(update(table).where(table.c.mailbox == self.mailbox, table.c.status == "queued",
                                                 table.c.next_attempt_at > now).values(next_attempt_at=now))


class CycleFaults:
    """What the steps of a bot's cycles ran into, said once each: an infrastructure fault once per outage (an IMAP
    outage also recorded for `mailbot doctor`), and an unexpected error (a bug) with its traceback once until that
    step works again, rather than once a minute."""

    def __init__(self, db: Database, mailbox: str, clock: Callable[[], datetime], logger: logging.Logger) -> None:
        self.db, self.mailbox, self.clock, self.logger = db, mailbox, clock, logger
        self.log = OutageLog(logger, mailbox)
        self._imap_checked = False  # an IMAP outage recorded before a restart is closed by the first good poll
        self._bugs: set[tuple[str, str]] = set()

    def failed(self, exc: Exception, during: Component | None, step: str) -> Component | None:
        """Log `exc` (met in `step`) as it deserves; returns the component at fault, None for a bug."""
        fault = classify(exc, during=during)
        if fault is None:
            key = (step, type(exc).__name__)
            if key in self._bugs:
                self.logger.debug("%s again (%s)", step, type(exc).__name__)
            else:
                self._bugs.add(key)
                self.logger.error("%s (%s: %s); logged once until it works again", step, type(exc).__name__,
                                  str(exc)[:300], exc_info=exc)
            return None
        if self.log.failed(fault, exc, self.clock()) and fault.component is Component.IMAP:
            detail = str(exc)[:600] if isinstance(exc, LoginRefused) else f"{type(exc).__name__}: {str(exc)[:200]}"
            self._record(lambda: note_outage(self.db, self.mailbox, fault, detail, self.clock()))
        return fault.component

    def succeeded(self, step: str, *components: Component) -> None:
        """`step` worked: its bugs may be logged again, and the components it used are back."""
        self._bugs = {key for key in self._bugs if key[0] != step}
        for component in components:
            ended = self.log.ok(component, self.clock())
            if component is Component.IMAP and (ended or not self._imap_checked):
                self._imap_checked = True
                self._record(lambda: end_outage(self.db, self.mailbox, Component.IMAP, self.clock()))

    def _record(self, write: Callable[[], object]) -> None:
        try:
            write()
        except Exception as exc:  # noqa: BLE001 - the record is for staff; the cycle must go on without it
            self.logger.debug("could not record an outage (%s)", type(exc).__name__)
