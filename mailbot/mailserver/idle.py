"""IMAP IDLE: new mail is answered within seconds instead of at the next poll.

A watcher thread keeps its own connection idling on the inbox and wakes the scheduler when the server reports
new mail. It is only a doorbell: the poll that it triggers is the same idempotent cycle, polling stays the
fallback (servers without IDLE, a dropped connection) and the safety net. A failed connection is retried with
exponential backoff, never in a tight loop.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from mailbot.config import Settings
from mailbot.mailserver.imap import Credential, ImapConnection
from mailbot.mailserver.logins import LoginRefused

log = logging.getLogger(__name__)

REISSUE_SECONDS = 25 * 60  # RFC 2177: re-issue IDLE at least every 29 minutes
MAX_BACKOFF_SECONDS = 300.0


class IdleWatcher:
    def __init__(self, settings: Settings, password: Credential, wake: Callable[[], None], *,
                 check_seconds: float = 30.0) -> None:
        self.settings = settings
        self.password = password
        self.wake = wake
        self.check_seconds = check_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: ImapConnection | None = None
        self.supported: bool | None = None  # known after the first connection
        self.wakes = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="mailbot-idle", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        conn = self._conn
        if conn is not None:
            try:
                conn.client.shutdown()  # unblocks idle_check at once
            except Exception:  # noqa: BLE001 - already closed
                pass
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        backoff = 1.0
        while not self._stop.is_set():
            try:
                self._watch()
                backoff = 1.0
            except Exception as exc:  # noqa: BLE001 - any failure: reconnect later, polling covers the gap
                if self._stop.is_set():
                    break
                if isinstance(exc, LoginRefused):
                    # Said once by the poll, which also tells staff; IDLE waits as long as a login may not be retried.
                    log.debug("IDLE login refused; polling goes on, IDLE tries again later")
                    self._stop.wait(self.settings.imap.login_retry_minutes * 60)
                    continue
                log.warning("IDLE connection lost (%s); retrying in %.0f s", type(exc).__name__, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            if self.supported is False:
                log.info("the IMAP server does not support IDLE: polling only")
                return

    def _watch(self) -> None:
        with ImapConnection(self.settings.imap, self.settings.imap_username, self.password) as conn:
            self._conn = conn
            self.supported = "IDLE" in conn.capabilities
            if not self.supported:
                return
            conn.client.select_folder(self.settings.imap.inbox, readonly=True)
            self._ring()  # anything that arrived while we were connecting
            while not self._stop.is_set():
                conn.client.idle()
                waited = 0.0
                responses: list = []
                while not self._stop.is_set() and waited < REISSUE_SECONDS:
                    responses = conn.client.idle_check(timeout=self.check_seconds)
                    waited += self.check_seconds
                    if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                        break
                conn.client.idle_done()
                if responses:
                    self._ring()
            self._conn = None

    def _ring(self) -> None:
        self.wakes += 1
        self.wake()
