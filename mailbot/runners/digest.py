"""The staff digest's runner: one email each working morning, issued exactly once per period.

Each digest covers a period that starts exactly where the previous one ended (the watermark in the `digests`
table), so after a weekend, a bank holiday or an outage the next digest covers the whole gap; a period can start
only once (a unique key), so two runners or a restart cannot send the same digest twice. It goes out through the
outbox, in the same transaction that records its period. What it says is gathered in `digest_contents`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailbot.clock.workdays import LONDON
from mailbot.config import Settings
from mailbot.mail.compose import RenderedReply
from mailbot.replies.context import digest_context
from mailbot.replies.digest_model import DIGEST_MAX_CHARS, Digest
from mailbot.replies.templates import Templates
from mailbot.runners.alerts import alert_template_problem
from mailbot.runners.digest_contents import as_utc, gather
from mailbot.runners.staff_mail import queue_staff_mail, render_staff_mail
from mailbot.store.db import Database
from mailbot.store.models import DigestRecord

log = logging.getLogger(__name__)


class DigestError(Exception):
    """The digest cannot be issued as asked (e.g. nobody to send it to); the message says why."""


@dataclass(frozen=True)
class DigestOutcome:
    issued: bool
    reason: str
    period_start: datetime | None = None
    period_end: datetime | None = None
    message_ids: tuple[str, ...] = ()
    digest_id: int | None = None


class DigestRunner:
    """Decides whether a digest is due, builds it, and issues it exactly once per period."""

    def __init__(self, settings: Settings, db: Database, templates: Templates) -> None:
        self.settings = settings
        self.db = db
        self.templates = templates
        self.calendar = settings.working_calendar()
        self.mailbox = settings.mailbox.address

    @property
    def recipients(self) -> tuple[str, ...]:
        return self.settings.digest_recipients

    def slot(self, day: date) -> datetime:
        """The configured time on `day`, Europe/London (so 08:00 stays 08:00 across the clock change)."""
        hour, minute = self.settings.digest.hour_minute
        return datetime.combine(day, time(hour, minute), tzinfo=LONDON)

    def is_due(self, now: datetime) -> bool:
        """A working day (no weekend, no bank holiday in any UK nation) and the time has come."""
        today = as_utc(now).astimezone(LONDON).date()
        return self.calendar.is_working_day(today) and as_utc(now) >= as_utc(self.slot(today))

    def first_start(self, now: datetime) -> datetime:
        """Where the very first digest starts: the previous working day's slot (the same for every runner)."""
        day = as_utc(now).astimezone(LONDON).date() - timedelta(days=1)
        while not self.calendar.is_working_day(day):
            day -= timedelta(days=1)
        return self.slot(day)

    def _last(self, session: Session, lock: bool = False) -> DigestRecord | None:
        query = (select(DigestRecord).where(DigestRecord.mailbox == self.mailbox)
                 .order_by(DigestRecord.period_end.desc(), DigestRecord.id.desc()).limit(1))
        return session.scalars(query.with_for_update() if lock else query).first()

    def next_period_start(self, session: Session, now: datetime, lock: bool = False) -> datetime:
        last = self._last(session, lock)
        return as_utc(last.period_end) if last else as_utc(self.first_start(now))

    def render(self, session: Session, start: datetime, now: datetime) -> tuple[Digest, RenderedReply]:
        """The digest and its email; a broken admin digest template falls back to the shipped one (and alerts)."""
        digest = gather(session, self.settings, start, now)
        rendering = render_staff_mail(self.templates, "digest", digest_context(digest, self.settings),
                                      max_chars=DIGEST_MAX_CHARS)
        if rendering.problem is not None:
            log.error("digest template failed; used the shipped default: %s", rendering.problem)
            alert_template_problem(session, self.settings, self.templates, rendering.problem, message_id=None,
                                   reference=None, now=now)
        return digest, rendering.reply

    def preview(self, now: datetime) -> tuple[Digest, RenderedReply]:
        """What the next digest would say if issued at `now`; records nothing."""
        with Session(self.db.engine) as session:
            try:
                return self.render(session, self.next_period_start(session, now), now)
            finally:
                session.rollback()  # a preview must not leave even an alert row behind

    def issue(self, now: datetime, *, scheduled: bool) -> DigestOutcome:
        """Queue the digest for [last watermark, now) to every recipient and record the period, in one transaction.

        `scheduled`: only on a working day at or after the configured time, and only if no digest has been issued
        since today's slot (a restart or a second runner finds it already done).
        """
        if not self.recipients:
            raise DigestError("no digest recipients: set digest.recipients or staff.recipients")
        if scheduled and not self.is_due(now):
            return DigestOutcome(False, "not due: not a working day, or before the digest time")
        today_slot = as_utc(self.slot(as_utc(now).astimezone(LONDON).date()))
        try:
            with self.db.session() as session:
                last = self._last(session, lock=True)
                if scheduled and last is not None and as_utc(last.period_end) >= today_slot:
                    return DigestOutcome(False, "already issued for today")
                start = as_utc(last.period_end) if last else as_utc(self.first_start(now))
                if start >= as_utc(now):
                    return DigestOutcome(False, "the last digest already covers up to now")
                _digest, rendered = self.render(session, start, now)
                record = DigestRecord(mailbox=self.mailbox, period_start=start, period_end=as_utc(now),
                                      sent_at=as_utc(now), message_ids=[])
                session.add(record)
                session.flush()  # the unique period start: a concurrent runner's digest makes this one fail here
                record.message_ids = queue_staff_mail(session, self.settings, rendered, self.recipients, "digest",
                                                      now)
                outcome = DigestOutcome(True, "issued", start, as_utc(now), tuple(record.message_ids), record.id)
        except IntegrityError:
            return DigestOutcome(False, "already issued by another runner")
        log.info("digest #%s queued for %d recipients: %s to %s", outcome.digest_id, len(outcome.message_ids),
                 start.isoformat(), as_utc(now).isoformat())
        return outcome
