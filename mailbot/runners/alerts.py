"""Staff alerts: telling people at once that something the bot relies on is broken, without flooding them.

The one alert today is a broken admin template: the reply went out from the shipped default, but the admin's
wording was not used and staff must fix it. A row in `staff_alerts` per problem key per London day (a unique key)
means at most one alert mail per broken template per day, even with two runners; every further occurrence that day
is counted on the row, and the digest shows the counts.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailbot.clock.workdays import LONDON
from mailbot.config import Settings
from mailbot.mail.lognames import log_name
from mailbot.replies.context import staff_alert_context, staff_notice_context
from mailbot.replies.templates import TemplateProblem, Templates
from mailbot.runners.staff_mail import queue_staff_mail, render_staff_alert, render_staff_mail
from mailbot.store.models import StaffAlert

log = logging.getLogger(__name__)


def template_alert_key(language: str, template: str) -> str:
    return f"template:{language}:{template}"


def _claim(session: Session, mailbox: str, key: str, detail: str, now: datetime, *,
           once_ever: bool) -> StaffAlert | None:
    """The alert row for this problem if this occurrence is the first (today, or ever); None when staff were told."""
    day = now.astimezone(LONDON).date()
    query = select(StaffAlert).where(StaffAlert.mailbox == mailbox, StaffAlert.key == key)
    existing = session.scalars(query if once_ever else query.where(StaffAlert.day == day)).first()
    if existing is not None:
        existing.occurrences += 1
        existing.last_at = now
        return None
    row = StaffAlert(mailbox=mailbox, key=key, day=day, detail=detail[:2000], occurrences=1, first_at=now,
                     last_at=now, message_ids=[])
    try:
        with session.begin_nested():  # a savepoint: losing the race to another runner must not undo our work
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row


def notify_staff(session: Session, settings: Settings, templates: Templates, *, key: str, title: str,
                 lines: list[str], now: datetime, message_id: str | None = None, reference: str | None = None,
                 once_ever: bool = False) -> bool:
    """Tell staff about a problem that needs a person (quarantine, a refused reply, a flood), once per key per day
    (or once ever), in the caller's transaction. Returns whether a notice was raised."""
    row = _claim(session, settings.mailbox.address, key, f"{title}: {'; '.join(lines)}", now, once_ever=once_ever)
    if row is None:
        return False
    recipients = settings.staff.recipients
    if not recipients:
        log.warning("staff should know: %s (%s); no staff.recipients to tell", title,
                    log_name(message_id) if message_id else key)
        return True
    context = staff_notice_context(settings, title=title, lines=lines, message_id=message_id, reference=reference,
                                   occurred_at=now)
    rendered = render_staff_mail(templates, "staff_notice", context).reply
    row.message_ids = queue_staff_mail(session, settings, rendered, recipients, "staff_notice", now)
    # Queued, not yet told: the notice goes out with the outbox, and waits there while the relay is down.
    log.warning("staff notice queued: %s (%s)", title, log_name(message_id) if message_id else key)
    return True


def alert_template_problem(session: Session, settings: Settings, templates: Templates, problem: TemplateProblem,
                           *, message_id: str | None, reference: str | None, now: datetime) -> bool:
    """Record the problem in the caller's transaction and, if it is the first today, queue the alert mail.

    Returns whether a new alert was raised. Never raises for a duplicate: a concurrent runner's alert wins and this
    occurrence is simply not mailed.
    """
    key = template_alert_key(templates.language, problem.template)
    row = _claim(session, settings.mailbox.address, key, str(problem), now, once_ever=False)
    if row is None:
        return False
    recipients = settings.staff.recipients
    if not recipients:
        log.error("template %s is broken (%s); no staff.recipients to alert", problem.template, problem)
        return True
    context = staff_alert_context(settings, template=problem.template, language=templates.language,
                                  problems=[str(problem)], message_id=message_id, reference=reference,
                                  occurred_at=now)
    rendered = render_staff_alert(templates, context)
    row.message_ids = queue_staff_mail(session, settings, rendered, recipients, "staff_alert", now)
    log.warning("staff alerted: template %s is broken; alert %s", problem.template, ", ".join(row.message_ids))
    return True
