"""Quarantine: a message that failed every attempt is set aside where staff can see it, and staff are told.

The processor marks it `quarantined` after `processing.max_attempts` failures (its raw bytes stay in the
database). Here, at the next IMAP connection, a copy goes into the quarantine folder of the mailbox — where staff
look at mail in their client — and staff get one notice. `mailbot requeue` puts it back in the queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from mailbot.config import Settings
from mailbot.mail.lognames import log_name_raw
from mailbot.mailserver.imap import ImapConnection
from mailbot.replies.templates import Templates
from mailbot.runners.alerts import notify_staff
from mailbot.store.db import Database
from mailbot.store.models import InboundMessage

log = logging.getLogger(__name__)


class Quarantine:
    def __init__(self, settings: Settings, db: Database, templates: Templates) -> None:
        self.settings = settings
        self.db = db
        self.templates = templates
        self.mailbox = settings.mailbox.address

    def flush(self, conn: ImapConnection, now: Callable[[], datetime]) -> int:
        """Copy newly quarantined messages to the quarantine folder and tell staff; returns how many."""
        with self.db.session() as session:
            pending = session.execute(select(InboundMessage.id, InboundMessage.message_id).where(
                InboundMessage.mailbox == self.mailbox, InboundMessage.status == "quarantined",
                InboundMessage.quarantine_copied.is_(False))).all()
        if not pending:
            return 0
        folder = self.settings.imap.quarantine_folder
        conn.ensure_folder(folder)
        for row_id, message_id in pending:
            with self.db.session() as session:
                row = session.get(InboundMessage, row_id, with_for_update=True)
                if row is None or row.quarantine_copied or row.status != "quarantined":
                    continue
                conn.client.append(folder, row.raw, flags=[b"\\Flagged"], msg_time=row.received_at)
                row.quarantine_copied = True
                notify_staff(session, self.settings, self.templates, key=f"quarantine:{message_id}",
                             title=f"a message was quarantined after {row.attempts} failed attempts",
                             lines=[f"Last error: {row.last_error}",
                                    f"A copy is in the {folder} folder; the original stays in the database.",
                                    f"When the cause is fixed, run: mailbot requeue '{message_id}'"],
                             message_id=message_id, now=now(), once_ever=True)
                log.warning("quarantined %s: copied to %s", log_name_raw(message_id, row.raw), folder)
        return len(pending)
