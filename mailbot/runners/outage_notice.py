"""Telling staff of a relay outage through the one route that still works: a notice filed in their mailbox.

A notice mailed about a dead relay waits behind it. So when an outage of the relay starts (the first time it is
recorded, not again after a restart), a flagged notice is appended over IMAP to the folder where staff already look
for mail the bot set aside (`imap.quarantine_folder`); the record stays in the database for `mailbot doctor` and
the digest either way. Best effort: if IMAP is down too, the record is what remains.
"""

from __future__ import annotations

import logging
from datetime import datetime

from mailbot.config import Settings
from mailbot.mailserver.imap import Credential, ImapConnection
from mailbot.replies.context import staff_notice_context
from mailbot.replies.templates import Templates
from mailbot.runners.staff_mail import compose_filed_notice, render_staff_mail

log = logging.getLogger(__name__)


def file_outage_notice(settings: Settings, templates: Templates, password: Credential, detail: str,
                       now: datetime) -> bool:
    """Append the notice to the quarantine folder; True if it is there."""
    context = staff_notice_context(
        settings, message_id=None, reference=None, occurred_at=now,
        title=("the mail relay refuses mailbot's login" if "login refused" in detail or "token refused" in detail
               else "the mail relay is not taking mail"),
        lines=[f"The relay ({settings.smtp.host}:{settings.smtp.port}) said: {detail}",
               "Replies and staff mail wait in the outbox and are retried, at least hourly, for as long as it lasts; "
               "nothing is lost and each goes once when the relay is back.",
               "`mailbot doctor` shows the outage and how much mail is waiting; the next digest records it."])
    raw = compose_filed_notice(settings, render_staff_mail(templates, "staff_notice", context).reply, now)
    folder = settings.imap.quarantine_folder
    try:
        with ImapConnection(settings.imap, settings.imap_username, password) as conn:
            conn.ensure_folder(folder)
            conn.client.append(folder, raw, flags=[b"\\Flagged"], msg_time=now)
    except Exception as exc:  # noqa: BLE001 - IMAP down as well: the database record is what staff will see
        log.warning("could not file the relay outage notice in %s (%s)", folder, type(exc).__name__)
        return False
    log.info("relay outage notice filed in %s for staff", folder)
    return True
