"""The mailbox's Sent folder as the second record of what we sent: effectively-once sending across crashes.

Every reply is APPENDed to Sent right after the SMTP server accepts it. If the bot dies after the SMTP server
accepted a reply but before the database recorded it, the reply is still in Sent; before sending such a reply
again, the outbox looks for its Message-ID there and, if found, records it as sent instead of sending twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from mailbot.config import Settings
from mailbot.imap import ImapConnection

log = logging.getLogger(__name__)


class SentFolder:
    """A lazily opened IMAP connection to the Sent folder; every failure here is reported, never fatal."""

    def __init__(self, settings: Settings, password: str | None) -> None:
        self.settings = settings
        self.password = password
        self._conn: ImapConnection | None = None

    @property
    def folder(self) -> str:
        return self.settings.imap.sent_folder

    def _connection(self) -> ImapConnection:
        if self._conn is None:
            conn = ImapConnection(self.settings.imap, self.settings.imap_username, self.password or "")
            try:
                conn.ensure_folder(self.folder)
                conn.client.select_folder(self.folder, readonly=True)
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def contains(self, message_id: str) -> bool | None:
        """Whether a message with this Message-ID is in Sent; None when Sent cannot be read (then: do not guess)."""
        try:
            client = self._connection().client
            client.noop()  # refresh the selected folder's view after our own APPENDs
            return bool(client.search(["HEADER", "Message-ID", message_id]))
        except Exception as exc:  # noqa: BLE001 - the caller decides what an unreadable Sent folder means
            log.warning("cannot search the Sent folder (%s): %s", type(exc).__name__, exc)
            self.close()
            return None

    def append(self, raw: bytes, when: datetime, message_id: str) -> bool:
        try:
            self._connection().client.append(self.folder, raw, flags=[b"\\Seen"], msg_time=when)
            return True
        except Exception as exc:  # noqa: BLE001 - the reply is sent; a missing Sent copy only weakens reconciliation
            log.warning("reply %s sent but not copied to %s (%s)", message_id, self.folder, type(exc).__name__)
            self.close()
            return False

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
