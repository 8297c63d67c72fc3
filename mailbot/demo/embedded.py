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
collected mid-session on Python 3.12+ (see ``on_connect``), and it writes each response in many small pieces,
which made imapclient's ``idle_check()`` fail now and then (see :class:`_CoalescingWriter`).

The SMTP server takes mail from anyone to anyone, with or without AUTH (PLAIN/LOGIN with the same user and
password as IMAP, over plain TCP). It delivers nothing: each message is recorded in :attr:`sent` so the demo
(and tests) can show what the bot would have sent. Send with aiosmtplib's ``start_tls=False``.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import logging
import re
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Coroutine, Iterable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from proxyprotocol.result import ProxyResultLocal
from proxyprotocol.sock import SocketInfo
from pymap.backend.dict import Config as _DictConfig
from pymap.backend.dict import DictBackend, Identity, Login
from pymap.concurrent import Subsystem
from pymap.imap import IMAPServer
from pymap.parsing.message import AppendMessage
from pymap.parsing.specials.flag import Flag
from pymap.user import UserMetadata
from pysasl.hashing import Cleartext

if TYPE_CHECKING:
    from imapclient import IMAPClient

__all__ = ["DEFAULT_USER", "EmbeddedMailServers", "SentMessage"]

_log = logging.getLogger(__name__)

DEFAULT_USER = "foi@police.example.uk"
_HOST = "127.0.0.1"
_SERVER_NAME = "mailbot-demo"

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class SentMessage:
    """One message handed to the embedded SMTP server, exactly as the client sent it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes  # the DATA bytes as received (CRLF line endings, dot-unstuffed)
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class _DemoConfig(_DictConfig):
    """pymap's dict-backend config with a fixed greeting.

    The stock greeting calls ``socket.getfqdn()`` on every connection, which takes seconds on machines with slow
    reverse DNS (notably macOS); a demo must not stall on that.
    """

    @property
    def greeting(self) -> bytes:
        return b"Server ready " + _SERVER_NAME.encode("ascii")


def _pymap_args(user: str, password: str, port: int) -> argparse.Namespace:
    """The options the ``pymap`` command line would have parsed; pymap's config constructors read them."""
    return argparse.Namespace(
        debug=False,
        host=_HOST,
        port=port,
        cert=None,
        key=None,
        tls=False,
        inherited_sockets=None,
        proxy_protocol=None,
        passlib_cfg=None,
        skip_services=[],
        demo_data=False,
        demo_user=user,
        demo_password=password,
    )


class _CaptureHandler:
    """aiosmtpd handler: records every message and accepts it, so the bot sees a normal successful send."""

    def __init__(self, record: Callable[[SentMessage], None]) -> None:
        self._record = record

    # aiosmtpd calls its handlers by the verb they answer: handle_DATA.
    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - see above
        raw = envelope.original_content
        if raw is None:  # only when decode_data=True, which we never set; kept for the type checker
            content = envelope.content or b""
            raw = content if isinstance(content, bytes) else content.encode("utf-8", "surrogateescape")
        self._record(SentMessage(mail_from=envelope.mail_from or "", rcpt_tos=tuple(envelope.rcpt_tos), raw=raw))
        return "250 OK: recorded by the mailbot demo, not delivered"


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
    ) -> None:
        if not password:
            raise ValueError("the demo mailbox needs a non-empty password")
        self.user: str = user
        self.password: str = password
        self.imap_host: str = _HOST
        self.smtp_host: str = _HOST
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
    ) -> int:
        """Deliver ``raw`` into ``folder`` as if it had been received at ``when``; return its UID.

        Goes straight into pymap's backend rather than through an IMAP APPEND: no connection, no login, works
        while the bot holds the mailbox selected (and wakes its IDLE), and keeps ``when`` exactly. FETCH
        INTERNALDATE then returns ``when`` to the second, in the same UTC offset. The message is marked
        ``\\Recent`` like a fresh delivery. ``folder`` is created if it does not exist.

        ``when`` must be time-zone aware: an INTERNALDATE always carries an offset, and a naive datetime would
        silently take the server's local zone. Bare LF line endings are turned into CRLF, as SMTP delivery would.
        """
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError("append() needs a time-zone-aware datetime for INTERNALDATE")
        if not isinstance(raw, (bytes, bytearray, memoryview)):
            raise TypeError("append() takes the raw message as bytes")
        data = _BARE_LF.sub(b"\r\n", bytes(raw))
        flag_set = frozenset(Flag(f) for f in flags)
        return self._call(self._append(data, when, folder, flag_set))

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
            await self._start_imap(stack)
            await self._start_smtp(stack)
            # Runs first on exit: drop client connections before the listening servers close, because from
            # Python 3.12 Server.wait_closed() waits for every open connection to end.
            stack.push_async_callback(self._close_connections)
            _log.debug("embedded mail servers up in %.1f ms", (time.perf_counter() - started) * 1000)
            ready.set_result(None)
            await self._stop_event.wait()

    async def _start_imap(self, stack: AsyncExitStack) -> None:
        args = _pymap_args(self.user, self.password, self.imap_port)
        # Cleartext: the password already sits in this process's memory, and pymap's default PBKDF2 (500,000
        # rounds) would be paid at startup and at every LOGIN (docs/operations.md). The asyncio subsystem keeps
        # pymap from starting its own thread pool, which would outlive stop().
        config = _DemoConfig.from_args(
            args,
            invalid_user_sleep=0.0,
            hash_context=Cleartext(),
            cpu_subsystem=Subsystem.for_asyncio(),
            ssl_context=ssl.create_default_context(ssl.Purpose.CLIENT_AUTH),  # never used: tls=False
            reject_dnsbl=False,
        )
        config.apply_context()
        login = Login(config)
        login.users_dict[self.user] = UserMetadata(config, self.user, password=self.password)
        backend = DictBackend(login, config)
        await backend.start(stack)
        self._backend = backend
        imap_server = IMAPServer(login, config)

        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            # pymap's IMAPService goes through proxyprotocol's callback, which starts each connection with a bare
            # asyncio.create_task() and keeps no reference; from Python 3.12 the garbage collector can destroy
            # such a task mid-session ("Task was destroyed but it is pending!", the client sees EOF). Awaiting
            # the connection here keeps it inside the task that asyncio.start_server holds on to.
            sock_info = SocketInfo.get(writer, ProxyResultLocal(), unique_id=uuid.uuid4().bytes)
            await imap_server(reader, _CoalescingWriter(writer), sock_info)  # type: ignore[arg-type]  # duck-typed writer

        # IMAPService would also hide the server object, and we need it for the bound port.
        server = await asyncio.start_server(on_connect, host=_HOST, port=self.imap_port)
        stack.push_async_callback(self._close_server, server)
        self.imap_port = server.sockets[0].getsockname()[1]

    async def _start_smtp(self, stack: AsyncExitStack) -> None:
        loop = asyncio.get_running_loop()
        handler = _CaptureHandler(self._record_sent)

        def factory() -> SMTP:
            smtp = _TrackedSMTP(
                handler,
                hostname=_SERVER_NAME,  # the default, socket.getfqdn(), can stall for seconds
                enable_SMTPUTF8=True,
                authenticator=self._smtp_authenticate,
                auth_require_tls=False,
                loop=loop,
            )
            smtp.tracker = self._smtp_protocols
            return smtp

        # aiosmtpd's Controller would start a second thread and loop, and cannot use port 0 (it connects to
        # the configured port to check it is up); the SMTP protocol class in our own loop needs neither.
        server = await loop.create_server(factory, host=_HOST, port=self.smtp_port)
        stack.push_async_callback(self._close_server, server)
        self.smtp_port = server.sockets[0].getsockname()[1]

    def _smtp_authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        # handled=False lets aiosmtpd send 535 on failure; with the default a wrong password hangs the client.
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode("utf-8", "replace") == self.user
            and auth_data.password.decode("utf-8", "replace") == self.password
        )
        return AuthResult(success=ok, handled=False)

    def _record_sent(self, message: SentMessage) -> None:
        with self._sent_cond:
            self._sent.append(message)
            self._sent_cond.notify_all()

    async def _append(self, data: bytes, when: datetime, folder: str, flag_set: frozenset[Flag]) -> int:
        assert self._backend is not None
        identity = Identity(self.user, self._backend.login, None, frozenset())
        async with identity.new_session() as session:
            mailbox_set = session.mailbox_set
            try:
                mailbox = await mailbox_set.get_mailbox(folder)
            except KeyError:
                await mailbox_set.add_mailbox(folder)
                mailbox = await mailbox_set.get_mailbox(folder)
            message = await mailbox.append(AppendMessage(data, when, flag_set), recent=True)
            return message.uid

    @staticmethod
    async def _close_server(server: asyncio.AbstractServer) -> None:
        server.close()
        await server.wait_closed()

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


class _CoalescingWriter:
    """A StreamWriter stand-in that sends each pymap response in one piece.

    pymap writes a response as many small ``write()`` calls ("* 1 FETCH (", "FLAGS", …) and asyncio sends each at
    once, so one line can reach the client in several TCP segments. imapclient's ``idle_check()`` reads without
    blocking and aborts on a partial line ("unterminated line: b'* 1 FETCH ('"), which made IDLE flaky. pymap
    always ``drain()``s after a whole response, so buffering until then sends complete lines together.
    """

    __slots__ = ("_pending", "_writer")

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        self._pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._pending.append(bytes(data))

    def writelines(self, data: Iterable[bytes | bytearray | memoryview]) -> None:
        for chunk in data:
            self.write(chunk)

    def _flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            if not self._writer.is_closing():
                self._writer.write(data)

    async def drain(self) -> None:
        self._flush()
        await self._writer.drain()

    def close(self) -> None:
        self._flush()
        self._writer.close()

    def __getattr__(self, name: str) -> Any:  # get_extra_info, is_closing, wait_closed, transport, …
        return getattr(self._writer, name)


class _TrackedSMTP(SMTP):
    """aiosmtpd's SMTP protocol, remembering live connections so :meth:`EmbeddedMailServers.stop` can close them."""

    tracker: set[SMTP] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self.tracker is not None:
            self.tracker.add(self)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        if self.tracker is not None:
            self.tracker.discard(self)
        super().connection_lost(error)
