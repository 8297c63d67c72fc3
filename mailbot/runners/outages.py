"""Outages staff can see without the broken part: a row in `staff_alerts` per outage of the mail relay (or IMAP).

A notice mailed about a dead relay goes through that relay, so it arrives — if ever — after the outage. What staff
need is a record that does not depend on it: the row is written while the outage lasts (`mailbot doctor` shows
it at once) and, with its duration, lands in the next digest (whose alerts are `staff_alerts` rows). An open
outage has the key `outage:<component>`; when it ends the key gains the time it started, so the next outage opens
a row of its own and the closed one keeps its history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailbot.clock.workdays import LONDON
from mailbot.runners.faults import SMTP_DOWN, Component, Fault, OutageLog
from mailbot.store.db import Database
from mailbot.store.models import OutboxMessage, StaffAlert

PREFIX = "outage:"


def open_key(component: Component) -> str:
    return f"{PREFIX}{component}"


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def note_outage(db: Database, mailbox: str, fault: Fault, detail: str, now: datetime) -> None:
    """Open the outage's row, or count one more failure on the row already open (after a restart too)."""
    with db.session() as session:
        row = session.scalars(select(StaffAlert).where(StaffAlert.mailbox == mailbox,
                                                       StaffAlert.key == open_key(fault.component))).first()
        if row is not None:
            row.occurrences += 1
            row.last_at = now
            return
        start = _as_utc(now)
        row = StaffAlert(mailbox=mailbox, key=open_key(fault.component), day=start.astimezone(LONDON).date(),
                         detail=f"{fault} since {start:%Y-%m-%d %H:%M} UTC ({detail[:300]}); mail waits in the "
                                "outbox and goes when it is back",
                         occurrences=1, first_at=now, last_at=now, message_ids=[])
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            pass  # another instance opened it this very day


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

    def should_probe(self) -> bool:
        """Whether a connection alone would show the outage over: it was the connection that failed (or, after
        a restart, we do not know what failed). A relay that defers everything is over when it accepts a reply."""
        if self.log.is_open(Component.SMTP):
            return self.unreachable
        with self.db.session() as session:  # after a restart, the record is what remembers the outage
            return session.scalars(select(StaffAlert.id).where(
                StaffAlert.mailbox == self.mailbox, StaffAlert.key == open_key(Component.SMTP))).first() is not None

    def failed(self, now: datetime, exc: BaseException | None, detail: str) -> None:
        """The relay refused the connection (`exc`), or deferred every reply of a run (None)."""
        if exc is None:
            self._deferred_runs += 1
            if self._deferred_runs < self.DEFERRED_RUNS and not self.log.is_open(Component.SMTP):
                return
        self.unreachable = exc is not None
        self.log.failed(SMTP_DOWN, exc, now, detail)
        note_outage(self.db, self.mailbox, SMTP_DOWN, detail, now)

    def recovered(self, now: datetime) -> None:
        """Close the outage and make everything it held up due now, rather than at its backoff (up to an hour)."""
        self._deferred_runs = 0
        self.log.ok(Component.SMTP, now)
        if end_outage(self.db, self.mailbox, Component.SMTP, now):
            table = OutboxMessage.__table__
            with self.db.engine.begin() as conn:
                conn.execute(update(table).where(table.c.mailbox == self.mailbox, table.c.status == "queued",
                                                 table.c.next_attempt_at > now).values(next_attempt_at=now))
