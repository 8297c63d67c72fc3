"""The mailbox's Sent folder as the second record of what we sent: effectively-once sending across crashes.

Every reply the SMTP server accepted is copied to Sent (and flagged `in_sent` in the outbox); the copies go in
batches, one MULTIAPPEND command each where the server has it. A reply whose database record of being sent was
never written (the bot died, or the commit failed, right after the server accepted it) is copied at once instead,
so that before sending such a reply again the outbox can look for its Message-ID in Sent and, if found, record it
as sent instead of sending it twice.
"""

from __future__ import annotations

import imaplib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from mailbot.config import Settings
from mailbot.mailserver.imap import Credential, ImapConnection

log = logging.getLogger(__name__)

# One MULTIAPPEND carries at most this many messages and bytes: a command stays a size any server takes, and a
# refused one costs only its own batch a second try one by one.
MULTIAPPEND_MESSAGES = 50
MULTIAPPEND_BYTES = 4_000_000


@dataclass(frozen=True)
class SentCopy:
    """One reply to copy to Sent: its Message-ID, its bytes as sent and when it went (the copy's INTERNALDATE)."""

    message_id: str
    raw: bytes
    when: datetime


@dataclass
class Filed:
    """What an append_many did: the Message-IDs now in Sent, and whether the server could be reached at all (when
    it could not, the caller stops trying until the next run instead of waiting on it batch after batch)."""

    message_ids: list[str]
    reachable: bool = True


def _refused(exc: BaseException) -> bool:
    """The server answered NO or BAD to this command (the connection is fine), rather than going away."""
    return isinstance(exc, imaplib.IMAP4.error) and not isinstance(exc, imaplib.IMAP4.abort)


def _groups(copies: Sequence[SentCopy]) -> Iterator[list[SentCopy]]:
    group: list[SentCopy] = []
    size = 0
    for copy in copies:
        if group and (len(group) >= MULTIAPPEND_MESSAGES or size + len(copy.raw) > MULTIAPPEND_BYTES):
            yield group
            group, size = [], 0
        group.append(copy)
        size += len(copy.raw)
    if group:
        yield group


class SentFolder:
    """A lazily opened IMAP connection to the Sent folder; every failure here is reported, never fatal."""

    def __init__(self, settings: Settings, password: Credential) -> None:
        self.settings = settings
        self.password = password
        self._conn: ImapConnection | None = None

    @property
    def folder(self) -> str:
        return self.settings.imap.sent_folder

    def _connection(self) -> ImapConnection:
        if self._conn is None:
            conn = ImapConnection(self.settings.imap, self.settings.imap_username, self.password)
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
        return bool(self.append_many([SentCopy(message_id, raw, when)]).message_ids)

    def append_many(self, copies: Sequence[SentCopy]) -> Filed:
        """Copy replies to Sent, a batch per command where the server has MULTIAPPEND (RFC 3502), else one by one.

        A MULTIAPPEND is all or nothing, so a refused batch is retried one message at a time: one message the
        server will not take never holds back the others. A reply not copied is left for a later run to copy.
        """
        filed = Filed([])
        try:
            multi = "MULTIAPPEND" in self._connection().capabilities
        except Exception as exc:  # noqa: BLE001 - the replies are sent; their copies wait for the next run
            self._not_copied(copies, exc)
            filed.reachable = False
            return filed
        for group in _groups(copies) if multi else ([copy] for copy in copies):
            if len(group) > 1:
                try:
                    self._connection().client.multiappend(self.folder, [
                        {"msg": copy.raw, "flags": [b"\\Seen"], "date": copy.when} for copy in group])
                    filed.message_ids += [copy.message_id for copy in group]
                    continue
                except Exception as exc:  # noqa: BLE001 - a refusal or an outage; _refused() tells them apart
                    if not _refused(exc):
                        self._not_copied(group, exc)
                        filed.reachable = False
                        return filed
                    log.info("the server refused a batch of %d copies for %s (%s): copying them one by one",
                             len(group), self.folder, exc)
            for copy in group:
                try:
                    self._connection().client.append(self.folder, copy.raw, flags=[b"\\Seen"], msg_time=copy.when)
                    filed.message_ids.append(copy.message_id)
                except Exception as exc:  # noqa: BLE001 - as above, one copy at a time
                    self._not_copied([copy], exc)
                    if not _refused(exc):
                        filed.reachable = False
                        return filed
        return filed

    def _not_copied(self, copies: Sequence[SentCopy], exc: BaseException) -> None:
        for copy in copies:
            log.warning("reply %s sent but not (yet) copied to %s (%s)", copy.message_id, self.folder,
                        type(exc).__name__)
        if not _refused(exc):
            self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
