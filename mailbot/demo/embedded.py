"""Real IMAP and SMTP servers inside the bot's own process, for ``mailbot demo``.

A newcomer should be able to watch the bot answer a mailbox without installing Dovecot or Postfix, so
``mailbot demo`` starts a pymap IMAP server (in-memory ``dict`` backend) and an aiosmtpd SMTP server that only
records what it is sent. They are real servers speaking real protocols on 127.0.0.1, so the bot runs its normal,
blocking imapclient/aiosmtplib code against them and nothing in the demo is faked.

Both servers share one asyncio event loop that runs in one background thread. The caller's thread stays free
for blocking client code; everything that touches the servers' state is handed to that loop.

Using pymap this way relies on some of its internals, which is why ``pymap`` is pinned (0.36.7) in
pyproject.toml. What a client should know about this server (all checked by ``tests/test_embedded.py``):

* Set ``TCP_NODELAY`` on the client socket (``client.socket().setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)``):
  without it each APPEND waits for the server's delayed ACK (Nagle's algorithm holds back the literal; the cost
  is in docs/operations.md). :meth:`imap_client` does this for you.
* No ``ENABLE``, ``CONDSTORE`` or ``QRESYNC``. ``PERMANENTFLAGS`` has no ``\\*``: custom keywords such as
  ``$Processed`` are silently dropped (the ``STORE`` answers OK, the flag never appears), so the bot must keep
  its own record of processed UIDs.
* UIDs in a new mailbox start at 101, not 1. ``UIDVALIDITY`` differs per mailbox and per run (time-based plus
  random); nothing survives :meth:`EmbeddedMailServers.stop`, so a client that caches UIDs must check it.
* SEARCH follows RFC 3501 to the letter: ``UID n:*`` always includes the highest UID even when ``n`` is above
  it (keep only ``uid > last_seen``), and ``ON``/``SINCE``/``BEFORE`` compare the INTERNALDATE's own calendar
  date, ignoring its UTC offset. Which session sees ``\\Recent`` varies (not pinned by a test): do not rely on it.
* MOVE (RFC 6851) and UIDPLUS are advertised. The server answers MOVE with ``COPYUID`` but imapclient 4.1's
  ``move()`` returns None, so find the new UID by searching the target. A moved message gets the next UID
  there and keeps its INTERNALDATE and flags. Moving a UID that is gone succeeds silently; moving to a
  folder that does not exist fails with ``[TRYCREATE]``.
* imapclient 4.1's ``fetch("1:*", ...)`` raises ``ValueError``: ``search()`` first and pass a list of UIDs.
* INTERNALDATE keeps the UTC offset it was given, to the second. Set ``client.normalise_times = False`` to get
  time-zone-aware datetimes back from imapclient.
* Plain TCP only (no STARTTLS, no IMAPS): ``IMAPClient(host, port, ssl=False)``.

Two pymap problems are worked around below rather than left to callers: its connection tasks could be garbage
collected mid-session on Python 3.12+ (see ``start_imap``), and it writes each response in many small pieces,
which made imapclient's ``idle_check()`` fail now and then (see `mailbot.demo.imap_server`).

The SMTP server takes mail from anyone to anyone, with or without AUTH (PLAIN/LOGIN with the same user and
password as IMAP, over plain TCP). It delivers nothing: each message is recorded in :attr:`sent` so the demo
(and tests) can show what the bot would have sent. Send with aiosmtplib's ``start_tls=False``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import re
import socket
import threading
import time
from collections.abc import Coroutine, Iterable
from contextlib import AsyncExitStack
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

from aiosmtpd.smtp import SMTP
from pymap.backend.dict import DictBackend
from pymap.parsing.specials.flag import Flag

from mailbot.demo.imap_server import HOST, append_message, start_imap
from mailbot.demo.smtp_server import SentMessage, password_check, start_smtp

if TYPE_CHECKING:
    from imapclient import IMAPClient

__all__ = ["DEFAULT_USER", "EmbeddedMailServers", "SentMessage"]

_log = logging.getLogger(__name__)

DEFAULT_USER = "foi@police.example.uk"

_T = TypeVar("_T")


_BARE_LF = re.compile(rb"(?<!\r)\n")


class EmbeddedMailServers:
    """An IMAP mailbox and a recording SMTP server on 127.0.0.1, running in a background thread.

    Use it as a context manager (or call :meth:`start` / :meth:`stop`)::

        with EmbeddedMailServers(password="demo") as servers:
            servers.append(raw_bytes, datetime(2022, 3, 1, 9, 30, tzinfo=timezone.utc))
            client = servers.imap_client()          # plain TCP, TCP_NODELAY, logged in
            ...
            servers.sent                            # what the bot sent over SMTP

    Ports default to 0 (a free port chosen by the OS); read :attr:`imap_port` / :attr:`smtp_port` after start.
    The mailbox lives in memory only and disappears on :meth:`stop`.
    """

    def __init__(
        self,
        password: str,
        user: str = DEFAULT_USER,
        *,
        imap_port: int = 0,
        smtp_port: int = 0,
        startup_timeout: float = 10.0,
        more_users: dict[str, str] | None = None,
    ) -> None:
        """`more_users` (address to password) get mailboxes of their own on the same server: the demo's member of
        the public reads the bot's answers in one."""
        if not password or not all((more_users or {}).values()):
            raise ValueError("the demo mailbox needs a non-empty password")
        self.user: str = user
        self.more_users: dict[str, str] = dict(more_users or {})
        self.password: str = password
        self.imap_host: str = HOST
        self.smtp_host: str = HOST
        self.imap_port: int = imap_port
        self.smtp_port: int = smtp_port
        self._startup_timeout = startup_timeout
        self._sent: list[SentMessage] = []
        self._sent_cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._backend: DictBackend | None = None
        self._smtp_protocols: set[SMTP] = set()

    # ------------------------------------------------------------------ lifecycle (caller's thread)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Self:
        """Start both servers and return once both are accepting connections (or raise why they could not)."""
        if self._thread is not None:
            raise RuntimeError("EmbeddedMailServers is already started")
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        # Daemon, so a caller that forgets stop() cannot hang interpreter exit; stop() still joins it.
        self._thread = threading.Thread(
            target=self._thread_main, args=(ready,), name="mailbot-embedded-mail", daemon=True
        )
        self._thread.start()
        try:
            ready.result(timeout=self._startup_timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Close every connection and both servers, end the loop and join the thread. Safe to call twice."""
        thread, loop, stop_event = self._thread, self._loop, self._stop_event
        if thread is None:
            return
        if loop is not None and stop_event is not None and thread.is_alive():
            try:
                loop.call_soon_threadsafe(stop_event.set)
            except RuntimeError:  # the loop already closed (startup failed)
                pass
        thread.join(timeout)
        if thread.is_alive():
            raise RuntimeError(f"embedded mail servers did not stop within {timeout} s")
        self._thread = None
        self._loop = None
        self._stop_event = None
        self._backend = None

    # ------------------------------------------------------------------ public helpers (caller's thread)

    @property
    def sent(self) -> list[SentMessage]:
        """Everything the SMTP server has accepted so far, oldest first.

        A snapshot copy, so the caller can iterate it while the server thread keeps appending.
        """
        with self._sent_cond:
            return list(self._sent)

    def clear_sent(self) -> None:
        with self._sent_cond:
            self._sent.clear()

    def wait_for_sent(self, count: int, timeout: float = 5.0) -> list[SentMessage]:
        """Block until at least ``count`` messages have been recorded; for callers that send from another thread."""
        with self._sent_cond:
            if not self._sent_cond.wait_for(lambda: len(self._sent) >= count, timeout):
                raise TimeoutError(f"expected {count} sent messages, have {len(self._sent)} after {timeout} s")
            return list(self._sent)

    def append(
        self,
        raw: bytes,
        when: datetime,
        folder: str = "INBOX",
        flags: Iterable[str] = (),
        user: str | None = None,
    ) -> int:
        """Deliver ``raw`` into ``folder`` as if it had been received at ``when``; return its UID.

        Goes straight into pymap's backend rather than through an IMAP APPEND: no connection, no login, works
        while the bot holds the mailbox selected (and wakes its IDLE), and keeps ``when`` exactly. FETCH
        INTERNALDATE then returns ``when`` to the second, in the same UTC offset. The message is marked
        ``\\Recent`` like a fresh delivery. ``folder`` is created if it does not exist.

        ``when`` must be time-zone aware: an INTERNALDATE always carries an offset, and a naive datetime would
        silently take the server's local zone. Bare LF line endings are turned into CRLF, as SMTP delivery would.
        ``user`` is whose mailbox (default: :attr:`user`, the bot's; or one of :attr:`more_users`).
        """
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError("append() needs a time-zone-aware datetime for INTERNALDATE")
        if not isinstance(raw, (bytes, bytearray, memoryview)):
            raise TypeError("append() takes the raw message as bytes")
        data = _BARE_LF.sub(b"\r\n", bytes(raw))
        flag_set = frozenset(Flag(f) for f in flags)
        if self._backend is None:
            raise RuntimeError("the embedded mail servers are not running")
        owner = user or self.user
        if owner != self.user and owner not in self.more_users:
            raise ValueError(f"no mailbox for {owner} on the embedded server")
        return self._call(append_message(self._backend, owner, data, when, folder, flag_set))

    def imap_client(self, *, login: bool = True, timeout: float = 10.0) -> IMAPClient:
        """An imapclient connection to the embedded server, set up the way this server needs.

        Plain TCP, ``TCP_NODELAY`` set (or each command waits for a delayed ACK), ``normalise_times = False`` so
        INTERNALDATE comes back time-zone aware, and logged in as :attr:`user` unless ``login=False``.
        """
        from imapclient import IMAPClient

        client = IMAPClient(self.imap_host, port=self.imap_port, ssl=False, timeout=timeout)
        client.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client.normalise_times = False
        if login:
            client.login(self.user, self.password)
        return client

    # ------------------------------------------------------------------ the server thread

    def _call(self, coro: Coroutine[Any, Any, _T], timeout: float = 10.0) -> _T:
        """Run ``coro`` on the servers' loop and wait for its result from the caller's thread."""
        loop = self._loop
        if loop is None or not self.running:
            coro.close()
            raise RuntimeError("the embedded mail servers are not running")
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("blocking call from the servers' own thread would deadlock")
        future = asyncio.run_coroutine_threadsafe(coro, loop)
        return future.result(timeout)

    def _thread_main(self, ready: concurrent.futures.Future[None]) -> None:
        # asyncio.run also cancels and awaits any task still pending when _serve returns, shuts down async
        # generators and the default executor, and closes the loop: nothing is left to warn at exit.
        try:
            asyncio.run(self._serve(ready))
        except BaseException as exc:  # noqa: BLE001 - reported to start(), never lost in the thread
            if not ready.done():
                ready.set_exception(exc)
            else:
                _log.exception("embedded mail servers failed")

    async def _serve(self, ready: concurrent.futures.Future[None]) -> None:
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._stop_event = asyncio.Event()
        started = time.perf_counter()
        async with AsyncExitStack() as stack:
            # Registered first, so it runs last: by then every client task has been cancelled.
            stack.push_async_callback(self._cancel_other_tasks)
            self._backend, self.imap_port = await start_imap(stack, self.user, self.password, self.imap_port,
                                                             self.more_users)
            self.smtp_port = await start_smtp(stack, self.smtp_port, self._record_sent,
                                              password_check(self.user, self.password, self.more_users),
                                              self._smtp_protocols)
            # Runs first on exit: drop client connections before the listening servers close, because from
            # Python 3.12 Server.wait_closed() waits for every open connection to end.
            stack.push_async_callback(self._close_connections)
            _log.debug("embedded mail servers up in %.1f ms", (time.perf_counter() - started) * 1000)
            ready.set_result(None)
            await self._stop_event.wait()

    def _record_sent(self, message: SentMessage) -> None:
        with self._sent_cond:
            self._sent.append(message)
            self._sent_cond.notify_all()

    async def _close_connections(self) -> None:
        """Cancel every client connection (IMAP and SMTP) so the servers can close without waiting on clients."""
        for smtp in list(self._smtp_protocols):
            if smtp.transport is not None:
                smtp.transport.close()
        await self._cancel_other_tasks()

    @staticmethod
    async def _cancel_other_tasks() -> None:
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        # Let transports finish closing (their connection_lost callbacks) before the loop goes away.
        await asyncio.sleep(0)


